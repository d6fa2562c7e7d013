import type { EventType } from 'correction-chaincode/domain';

/**
 * A valid document for every event type, with the personal data a real one carries
 * (names, free text) so tests can check that none of it leaks.
 */
export const SAMPLE_NAME = '测试人甲';

export function sampleDocument(type: EventType, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<EventType, Record<string, unknown>> = {
    ASSESSMENT_COMMISSIONED: { letterNo: 'W-1', proposedType: 'PROBATION', executionPlace: '110105' },
    ASSESSMENT_OPINION: { opinionNo: 'O-1', suitable: true },
    SENTENCE_HANDOVER: {
      decisionNo: 'J-1',
      correctionType: 'PROBATION',
      effectiveDate: '2024-01-10',
      termStart: '2024-01-10',
      termEnd: '2025-01-09',
      executionPlace: '110105',
      judgment: '判决书全文',
    },
    DOCUMENTS_SERVED: { documents: [{ title: '判决书', hash: 'a'.repeat(64) }] },
    HANDOVER_RECEIPT: { acknowledges: '0'.repeat(32), receivedAt: '2024-01-12T09:00:00+08:00' },
    SUBJECT_RECEIVED: { escorted: false },
    LEAVE_APPROVED: { approvalNo: 'L-1', leaveFrom: '2024-03-01', leaveTo: '2024-03-05' },
    EXECUTION_PLACE_CHANGED: { decisionNo: 'P-1', executionPlace: '310104' },
    MONITORING_CHANGED: { approvalNo: 'M-1', enabled: true, until: '2024-06-01' },
    WARNING_ISSUED: { decisionNo: 'WN-1', kind: 'WARNING' },
    COMMENDATION_ISSUED: { decisionNo: 'CM-1', reason: '积极参加公益活动' },
    PENALTY_REQUESTED: { requestNo: 'PR-1' },
    PENALTY_DECIDED: { decisionNo: 'PD-1' },
    LOST_CONTACT: { lastContactAt: '2024-02-01T09:00:00+08:00' },
    SUBJECT_LOCATED: { locatedAt: '2024-02-03T09:00:00+08:00' },
    DETENTION_NOTIFIED: { detainedAt: '2024-02-05T09:00:00+08:00', measure: '行政拘留' },
    DETENTION_ENDED: { endedAt: '2024-02-10T09:00:00+08:00' },
    COMMUTATION_PROPOSED: { proposalNo: 'CP-1' },
    COMMUTATION_RULED: { rulingNo: 'CR-1', newTermEnd: '2024-12-01' },
    REVOCATION_PROPOSED: { proposalNo: 'RP-1', arrestRequested: true },
    ARREST_DECIDED: { decisionNo: 'AD-1', approved: true },
    REVOCATION_RULED: { rulingNo: 'RR-1', revoked: true },
    COMMITTED_TO_PRISON: { institution: '第一监狱' },
    CORRECTION_RELEASED: { certificateNo: 'C-1' },
    DEATH_RECORDED: { dateOfDeath: '2024-05-01' },
    PROCURATORIAL_OPINION: { opinionNo: 'PO-1', kind: 'CORRECTION_OPINION', addressedTo: 'JUSTICE', replyWithinDays: 15, text: '请纠正' },
    PROCURATORIAL_REPLY: { answers: '0'.repeat(32), adopted: true, text: '已纠正' },
    RECONSIDERATION_REQUESTED: { answers: '0'.repeat(32), reason: '意见所依据的事实有误' },
    RECONSIDERATION_ANSWERED: { answers: '0'.repeat(32), upheld: true, text: '经复查，维持原意见' },
    COMPLAINT_RECEIVED: { complaint: '矫正对象反映外出申请未获答复', receivedOn: '2024-03-01' },
    AMENDMENT: { reason: '录入错误', corrections: { termEnd: '2025-02-01' } },
  };
  return { subjectName: SAMPLE_NAME, ...base[type], ...extra };
}

/** A handover of 暂予监外执行: the custodian's receipt of the decision starts the clock of the handover to the agency. */
export function temporaryHandover(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return sampleDocument('SENTENCE_HANDOVER', { correctionType: 'TEMPORARY_OUTSIDE_PRISON', custodianReceivedOn: '2024-01-12', ...extra });
}
