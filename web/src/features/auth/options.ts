/** Choices offered when an organization is created or edited; values are the API's. */
import type { MessageKey } from '../../i18n/i18n.js';

export const ORG_TYPES: { value: string; label: MessageKey }[] = [
  { value: 'clinic', label: 'org.type.clinic' },
  { value: 'hospital', label: 'org.type.hospital' },
  { value: 'studio', label: 'org.type.studio' },
  { value: 'dental_clinic', label: 'org.type.dental_clinic' },
  { value: 'platform', label: 'org.type.platform' },
];

export const ORG_LOCALES = [
  { value: 'en', label: 'English' },
  { value: 'zh-TW', label: '繁體中文 (台灣)' },
  { value: 'tr', label: 'Türkçe' },
];

export const TIMEZONES: string[] = Intl.supportedValuesOf('timeZone');
export const CURRENCIES: string[] = Intl.supportedValuesOf('currency');

export const browserTimezone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
