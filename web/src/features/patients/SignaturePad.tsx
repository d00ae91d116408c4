/**
 * A signature pad: a canvas drawn on with pointer events (mouse, pen and touch alike), sharp on
 * high-density screens, with a clear button. It reports whether anything has been drawn, and
 * exports the drawing as a PNG data URL.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, type PointerEvent } from 'react';
import { useT } from '../../i18n/i18n.js';

export interface SignaturePadHandle { toDataUrl(): string; clear(): void }

export const SignaturePad = forwardRef<SignaturePadHandle, { onChange: (hasInk: boolean) => void; label: string }>(
  function SignaturePad({ onChange, label }, ref) {
    const t = useT();
    const canvas = useRef<HTMLCanvasElement>(null);
    const drawing = useRef<{ id: number; x: number; y: number } | null>(null);
    const inked = useRef(false);

    const prepare = useCallback(() => {
      const c = canvas.current;
      if (!c) return;
      const ratio = window.devicePixelRatio || 1;
      const { width, height } = c.getBoundingClientRect();
      c.width = Math.round(width * ratio);
      c.height = Math.round(height * ratio);
      const g = c.getContext('2d')!;
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, width, height);
      g.lineCap = 'round';
      g.lineJoin = 'round';
      g.lineWidth = 2.2;
      g.strokeStyle = '#10243a';
    }, []);

    useEffect(() => { prepare(); }, [prepare]);

    const clear = useCallback(() => {
      prepare();
      inked.current = false;
      onChange(false);
    }, [prepare, onChange]);

    useImperativeHandle(ref, () => ({ toDataUrl: () => canvas.current!.toDataURL('image/png'), clear }), [clear]);

    const pos = (e: PointerEvent<HTMLCanvasElement>) => {
      const r = e.currentTarget.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    function down(e: PointerEvent<HTMLCanvasElement>) {
      if (e.button !== 0 && e.pointerType === 'mouse') return;
      e.preventDefault();
      e.currentTarget.setPointerCapture(e.pointerId);
      const p = pos(e);
      drawing.current = { id: e.pointerId, ...p };
      const g = e.currentTarget.getContext('2d')!;
      g.beginPath();
      g.arc(p.x, p.y, 1.1, 0, Math.PI * 2);
      g.fillStyle = '#10243a';
      g.fill();
    }
    function move(e: PointerEvent<HTMLCanvasElement>) {
      const d = drawing.current;
      if (!d || d.id !== e.pointerId) return;
      const g = e.currentTarget.getContext('2d')!;
      // Coalesced events keep fast strokes smooth where the browser offers them.
      const events = typeof e.nativeEvent.getCoalescedEvents === 'function' ? e.nativeEvent.getCoalescedEvents() : [];
      const r = e.currentTarget.getBoundingClientRect();
      const pts = events.length ? events.map((ev) => ({ x: ev.clientX - r.left, y: ev.clientY - r.top })) : [pos(e)];
      g.beginPath();
      g.moveTo(d.x, d.y);
      for (const p of pts) g.lineTo(p.x, p.y);
      g.stroke();
      const last = pts[pts.length - 1]!;
      drawing.current = { id: d.id, ...last };
      if (!inked.current) { inked.current = true; onChange(true); }
    }
    function up(e: PointerEvent<HTMLCanvasElement>) {
      if (drawing.current?.id === e.pointerId) drawing.current = null;
    }

    return (
      <div className="signature">
        <canvas ref={canvas} className="signature-pad" aria-label={label} role="img" data-testid="signature-pad"
          onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up} />
        <div className="signature-foot">
          <span className="hint">{t('consent.sign_here')}</span>
          <button type="button" className="btn small secondary" onClick={clear} data-testid="signature-clear">{t('consent.clear')}</button>
        </div>
      </div>
    );
  },
);
