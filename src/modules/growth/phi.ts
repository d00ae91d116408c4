import type { FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../../platform/http/problem.js';

/**
 * Seed 004's PHI policy, enforced at the door: growth data holds a first name, contact details,
 * campaign, source, procedure interest and pipeline state, never a last name, medical history,
 * diagnosis, photos or consent forms. Any request body (at any depth, including free-form payloads
 * and metadata) that names such a field is refused before anything is stored. Keys are compared
 * without case, underscores, dashes or spaces, so lastName, last_name and "Last Name" are one key.
 */
const FORBIDDEN: Record<string, string> = {
  lastname: 'a last name', surname: 'a last name', familyname: 'a last name', fullname: 'a full name', middlename: 'a middle name',
  dateofbirth: 'a date of birth', dob: 'a date of birth', birthdate: 'a date of birth', birthday: 'a date of birth',
  medicalhistory: 'medical history', medicalnotes: 'medical notes', clinicalnotes: 'clinical notes', medicalcondition: 'a medical condition',
  medicalconditions: 'medical conditions', conditions: 'medical conditions', diagnosis: 'a diagnosis', diagnoses: 'a diagnosis',
  diagnosiscode: 'a diagnosis', icd10: 'a diagnosis', symptoms: 'symptoms', medications: 'medications', medication: 'medications',
  allergies: 'allergies', allergy: 'allergies', contraindications: 'contraindications', pregnancy: 'pregnancy status', pregnant: 'pregnancy status',
  treatmenthistory: 'treatment history', procedurenotes: 'procedure notes', complications: 'complications', skintype: 'a skin type',
  photo: 'a photo', photos: 'photos', photourl: 'a photo', image: 'an image', images: 'images', imageurl: 'an image', avatar: 'a photo',
  beforephoto: 'a photo', afterphoto: 'a photo', consent: 'a consent form', consentform: 'a consent form', consentforms: 'consent forms',
  consentdocument: 'a consent form', signature: 'a signature', insurance: 'insurance details', insurancenumber: 'insurance details',
  ssn: 'a national id', nationalid: 'a national id', passportnumber: 'a passport number', healthrecord: 'a health record', phi: 'PHI',
};

const norm = (key: string) => key.toLowerCase().replace(/[\s_-]/g, '');

/** What a key would carry if it is forbidden ("a last name"), else null. */
export function phiKind(key: string): string | null {
  return FORBIDDEN[norm(key)] ?? null;
}

/** Every forbidden key in a JSON value, as JSON pointers with what each would carry. */
export function findPhi(value: unknown, pointer = ''): FieldError[] {
  if (Array.isArray(value)) return value.slice(0, 1000).flatMap((v, i) => findPhi(v, `${pointer}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const kind = phiKind(k);
    if (kind) out.push({ pointer: here, message: `Growth data never holds ${kind}; record it on the patient's chart instead.` });
    else out.push(...findPhi(v, here));
  }
  return out;
}

export function phiError(found: FieldError[]): AppError {
  return new AppError(422, 'phi_not_allowed',
    'Marketing and sales records hold no medical or identifying health information (seed 004 PHI policy): '
    + `${found.map((f) => f.pointer.slice(1) || '/').join(', ')} refused. A lead keeps a first name and contact details; `
    + 'the full identity lives on the patient once the lead converts.', found);
}

/** Throws 422 phi_not_allowed when the value names a forbidden field anywhere. */
export function assertNoPhi(value: unknown, pointer = ''): void {
  const found = findPhi(value, pointer);
  if (found.length) throw phiError(found);
}

/** A preValidation hook: refuses a body naming a forbidden field before the schema or the database sees it. */
export async function rejectPhi(req: FastifyRequest): Promise<void> {
  if (req.body !== undefined && req.body !== null && typeof req.body === 'object') assertNoPhi(req.body);
}
