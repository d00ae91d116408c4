-- Clinical and inventory additions (issue 3, parts 3 and 4): the enumerations the services use,
-- enforced by the database too, and the index a pigment-lot recall reads.
ALTER TABLE visits ADD CONSTRAINT visits_type_check CHECK (visit_type IN ('consultation', 'treatment', 'follow_up'));
--> statement-breakpoint
ALTER TABLE treatment_sessions
  ADD CONSTRAINT treatment_sessions_status_check CHECK (status IN ('draft', 'signed')),
  ADD CONSTRAINT treatment_sessions_signed_check CHECK (status <> 'signed' OR signed_at IS NOT NULL),
  ADD CONSTRAINT treatment_sessions_session_no_check CHECK (session_no >= 1),
  ADD CONSTRAINT treatment_sessions_currency_check CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$');
--> statement-breakpoint
ALTER TABLE session_amendments ADD CONSTRAINT session_amendments_version_check CHECK (version >= 2);
--> statement-breakpoint
ALTER TABLE products ADD CONSTRAINT products_type_check CHECK (product_type IN ('Botox', 'HA', 'PRP', 'Pigment', 'Anesthetic', 'Skincare', 'Other'));
--> statement-breakpoint
ALTER TABLE lots ADD CONSTRAINT lots_status_check CHECK (status IN ('active', 'quarantined', 'recalled', 'disposed'));
--> statement-breakpoint
ALTER TABLE stock_movements
  ADD CONSTRAINT stock_movements_kind_check CHECK (kind IN ('receive', 'use', 'adjust', 'waste', 'return')),
  ADD CONSTRAINT stock_movements_quantity_check CHECK (quantity <> 0);
--> statement-breakpoint
-- Seed 001 procedures name their pigment lot as text: a recall of a pigment lot finds them by it.
CREATE INDEX treatment_sessions_pmu_lot_idx ON treatment_sessions (org_id, lower(pmu->>'lot_number')) WHERE pmu ? 'lot_number';
