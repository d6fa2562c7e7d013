import type { OffChainCosignatures } from '../../log/off-chain-cosignatures.js';
import type { PublishedCatalog } from '../../services/catalog.js';
import type { CorrectionService } from '../../services/correction-service.js';
import type { DocumentService } from '../../services/documents.js';
import type { EventRecorder } from '../../services/event-recorder.js';
import type { NoticeSource } from '../../services/notice-stream.js';
import type { ObligationList } from '../../services/obligations.js';
import type { ProofService } from '../../services/proof-service.js';
import type { Webhooks } from '../../services/webhooks.js';

/** The services the routes call. */
export interface RouteServices {
  readonly service: CorrectionService;
  readonly recorder: EventRecorder;
  /** Attachments: upload, download, check a file. */
  readonly documents: DocumentService;
  readonly proofs: ProofService;
  readonly notices: NoticeSource;
  readonly obligations: ObligationList;
  readonly webhooks: Webhooks;
  /** Agency cosignatures other gateways send this one. */
  readonly cosignatures: Pick<OffChainCosignatures, 'receive'>;
  /** The event catalog as this gateway applies it. */
  readonly catalog: PublishedCatalog;
}
