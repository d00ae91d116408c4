/**
 * The permission catalogue and the built-in roles. Synced into the database by `migrate`, so the
 * code is the one place that says what each role may do. Permissions are named `<thing>.<verb>`.
 */
export const PERMISSIONS = {
  // identity and platform
  'org.read': 'See the organization and its settings',
  'org.update': 'Change the organization settings',
  'member.read': 'See staff members, roles and permissions',
  'member.manage': 'Invite, suspend and remove members; assign roles',
  'role.manage': 'Create and change custom roles',
  'audit.read': 'Browse the audit log',
  'file.read': 'Download documents and photos',
  'file.write': 'Upload documents and photos',
  'platform.admin': 'Operate the marketplace platform',
  // records and clinical (PHI)
  'patient.read': 'See patient charts (identity and contact)',
  'patient.write': 'Create and change patients',
  'patient.delete': 'Archive patients',
  'medical.read': 'Read medical history, allergies and clinical notes (PHI)',
  'medical.write': 'Record medical history and clinical notes (PHI)',
  'consent.read': 'See consents',
  'consent.write': 'Collect and manage consents',
  'visit.read': 'See visits',
  'visit.write': 'Record visits',
  'session.read': 'See treatment sessions',
  'session.write': 'Record treatment sessions',
  'contraindication.override': 'Record a session despite a critical contraindication (with a reason; filed on the compliance worklist)',
  'photo.read': 'See clinical photos',
  'photo.write': 'Take and upload clinical photos',
  // catalog, inventory, scheduling
  'treatment.read': 'See the treatment catalogue and prices',
  'treatment.manage': 'Change the treatment catalogue and prices',
  'practitioner.read': 'See practitioners and devices',
  'practitioner.manage': 'Manage practitioners and devices',
  'inventory.read': 'See products, lots and stock',
  'inventory.write': 'Receive stock and record usage',
  'appointment.read': 'See the calendar',
  'appointment.write': 'Book and change appointments',
  // care and engagement
  'followup.read': 'See follow-ups and aftercare',
  'followup.write': 'Plan and complete follow-ups and aftercare',
  'message.read': 'Read conversations',
  'message.send': 'Send messages',
  'review.moderate': 'Moderate reviews',
  // marketplace and billing
  'inquiry.read': 'See inquiries shared with the organization',
  'quote.read': 'See quotes',
  'quote.send': 'Prepare and send quotes',
  'payment.read': 'See payments and invoices',
  'payment.write': 'Take payments, refund, invoice',
  'commission.read': 'See commission statements',
  'commission.manage': 'Manage commission rules',
  // growth (never medical)
  'lead.read': 'See leads and the pipeline',
  'lead.write': 'Work leads and the pipeline',
  'campaign.read': 'See campaigns and spend',
  'campaign.write': 'Manage campaigns and spend',
  // insight
  'dashboard.read': 'See owner dashboards',
  'export.run': 'Export data',
} as const;

export type Permission = keyof typeof PERMISSIONS;
const ALL = Object.keys(PERMISSIONS) as Permission[];

export const BUILTIN_ROLES: Record<string, { description: string; permissions: Permission[] }> = {
  owner: { description: 'Owns the organization: everything', permissions: ALL.filter((p) => p !== 'platform.admin') },
  manager: {
    description: 'Runs the clinic day to day',
    permissions: ALL.filter((p) => !['platform.admin', 'role.manage', 'org.update'].includes(p)),
  },
  practitioner: {
    description: 'Doctor, nurse, PMU artist or surgeon: the chart and treatments',
    permissions: ['org.read', 'member.read', 'file.read', 'file.write', 'patient.read', 'patient.write', 'medical.read', 'medical.write',
      'consent.read', 'consent.write', 'visit.read', 'visit.write', 'session.read', 'session.write', 'contraindication.override',
      'photo.read', 'photo.write', 'treatment.read', 'practitioner.read', 'inventory.read', 'inventory.write', 'appointment.read', 'appointment.write',
      'followup.read', 'followup.write', 'message.read', 'message.send', 'inquiry.read', 'quote.read'],
  },
  front_desk: {
    description: 'Front desk and coordinators: calendar, bookings, messages, payments',
    permissions: ['org.read', 'member.read', 'file.read', 'file.write', 'patient.read', 'patient.write', 'consent.read', 'visit.read',
      'visit.write', 'treatment.read', 'practitioner.read', 'appointment.read', 'appointment.write', 'followup.read', 'followup.write',
      'message.read', 'message.send', 'payment.read', 'payment.write', 'inquiry.read', 'quote.read'],
  },
  marketer: {
    description: 'Marketing and sales: leads, pipeline, campaigns. Never medical data.',
    permissions: ['org.read', 'member.read', 'lead.read', 'lead.write', 'campaign.read', 'campaign.write', 'commission.read'],
  },
  accountant: {
    description: 'Payments, invoices, commissions and revenue',
    permissions: ['org.read', 'member.read', 'treatment.read', 'payment.read', 'payment.write', 'commission.read', 'commission.manage',
      'dashboard.read', 'export.run'],
  },
  platform_admin: {
    description: 'Marketplace operator: providers, master catalogue, commissions, moderation',
    permissions: ['org.read', 'org.update', 'member.read', 'member.manage', 'audit.read', 'platform.admin', 'treatment.read',
      'treatment.manage', 'review.moderate', 'commission.read', 'commission.manage', 'inquiry.read', 'quote.read'],
  },
  patient: { description: 'A patient using the portal', permissions: [] },
};

/** Permissions whose data is medical: a growth role must never hold them. */
export const MEDICAL_PERMISSIONS: Permission[] = ['patient.read', 'patient.write', 'patient.delete', 'medical.read', 'medical.write',
  'consent.read', 'consent.write', 'visit.read', 'visit.write', 'session.read', 'session.write', 'contraindication.override', 'photo.read', 'photo.write',
  'followup.read', 'followup.write'];
