/** The directory context's public surface (practitioners, devices). Other modules import from here only. */
export { directoryRoutes, practitionerDto, deviceDto } from './directory.routes.js';
export {
  findPractitioner, practitionerRef, getPractitioner, PRACTITIONER_COLUMNS, PRACTITIONER_KINDS, type PractitionerRow,
} from './practitioners.service.js';
export { findDevice, deviceRef, getDevice, orgToday, maintenanceDue, DEVICE_TYPES, type DeviceRow } from './devices.service.js';
