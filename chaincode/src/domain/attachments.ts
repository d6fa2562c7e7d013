import { z } from 'zod';
import type { EventType, Facts } from './catalog.js';

/**
 * Files an event's document lists: the judgment, the execution notice, a ruling — kept by the
 * gateways, content-addressed, and pinned by the entry. An entry lists each file's hash, size and
 * type in its public facts, so that the entry proves its files without holding them.
 */

/** PDF, OFD (GB/T 33190, the national fixed-layout format), JPEG and PNG: what documents are scanned or issued as. */
export const ATTACHMENT_MEDIA_TYPES = ['application/pdf', 'application/ofd', 'image/jpeg', 'image/png'] as const;
export type AttachmentMediaType = (typeof ATTACHMENT_MEDIA_TYPES)[number];

/** The most files one document lists. */
export const MAX_ATTACHMENTS = 20;
/** No single file of a correction record comes near this (1 TiB); gateways set their own, far lower, limit. */
const MAX_FILE_BYTES = 2 ** 40;

/** One file a document lists: its title (文书名称), SHA-256 of its bytes, size in bytes and media type. */
export const AttachmentSchema = z.strictObject({
  title: z
    .string()
    .max(100)
    // eslint-disable-next-line no-control-regex -- null characters and lone surrogates have no stable hash
    .regex(/^[^\u0000-\u001f\uD800-\uDFFF]*$/u, 'must be one line of well-formed text')
    .regex(/\S/u, 'must not be blank'),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
  size: z.number().int().min(1).max(MAX_FILE_BYTES),
  mediaType: z.enum(ATTACHMENT_MEDIA_TYPES),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** The `attachments` field any document may carry: distinct files, at most MAX_ATTACHMENTS. */
export const ATTACHMENTS_FIELD = z
  .array(AttachmentSchema)
  .min(1)
  .max(MAX_ATTACHMENTS)
  .refine((list) => new Set(list.map((a) => a.hash)).size === list.length, 'lists each file once')
  .optional();

/**
 * The files each event is expected to come with (L17, L20: the court delivers the judgment, the
 * execution notice and the case-closing form; rulings and decisions travel as their own
 * documents). Published in the catalog for forms to offer; not enforced, because documents may
 * follow the handover (DOCUMENTS_SERVED, within ten days).
 */
export const EXPECTED_ATTACHMENTS: Partial<Readonly<Record<EventType, readonly string[]>>> = {
  ASSESSMENT_COMMISSIONED: ['调查评估委托函'],
  ASSESSMENT_OPINION: ['调查评估意见书'],
  SENTENCE_HANDOVER: ['判决书', '执行通知书', '结案登记表'],
  DOCUMENTS_SERVED: ['判决书', '执行通知书', '结案登记表'],
  EXECUTION_PLACE_CHANGED: ['变更执行地决定书'],
  WARNING_ISSUED: ['警告决定书'],
  PENALTY_REQUESTED: ['治安管理处罚建议书'],
  PENALTY_DECIDED: ['治安管理处罚决定书'],
  COMMUTATION_PROPOSED: ['减刑建议书'],
  COMMUTATION_RULED: ['减刑裁定书'],
  REVOCATION_PROPOSED: ['撤销缓刑、假释建议书'],
  ARREST_DECIDED: ['逮捕决定书'],
  REVOCATION_RULED: ['撤销缓刑、假释裁定书'],
  CORRECTION_RELEASED: ['解除社区矫正证明书'],
  PROCURATORIAL_OPINION: ['纠正意见书'],
  PROCURATORIAL_REPLY: ['复函'],
};

/**
 * The attachments an entry carries in its public facts: hash, size and type of each; the titles
 * too unless the record is sealed (a title is written freely and could name the person).
 */
export function attachmentFacts(document: Facts, sealed: boolean): Facts {
  const listed = document['attachments'];
  if (!Array.isArray(listed) || listed.length === 0) return {};
  const attachments = (listed as Attachment[]).map(({ title, hash, size, mediaType }) => (sealed ? { hash, size, mediaType } : { title, hash, size, mediaType }));
  return { attachments };
}

/** The attachments an entry's facts list (an amendment's among its facts too). */
export function listedAttachments(facts: Facts): ReadonlyArray<Omit<Attachment, 'title'> & { readonly title?: string }> {
  const listed = facts['attachments'];
  return Array.isArray(listed) ? (listed as Attachment[]) : [];
}
