import type { Usage } from '../wire/chat';

/** The fields every chunk of a chat or completion stream repeats. */
interface ChunkEnvelope {
  id?: string | null;
  model?: string | null;
  created?: number | null;
  system_fingerprint?: string | null;
  usage?: Usage | null;
}

/** Keeps a stream's identity (first value seen) and usage (last one seen: cumulative or final). */
export class StreamEnvelope {
  private id: string | null | undefined;
  private model: string | null | undefined;
  private created: number | null | undefined;
  private systemFingerprint: string | null | undefined;
  private usage: Usage | null | undefined;
  /** Number of chunks seen. */
  chunkCount = 0;

  /** Takes the envelope of one chunk. */
  add(chunk: ChunkEnvelope): void {
    this.chunkCount++;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    this.created ??= chunk.created;
    this.systemFingerprint ??= chunk.system_fingerprint;
    if (chunk.usage != null) this.usage = chunk.usage;
  }

  /** The envelope fields of the folded response body. */
  fields() {
    return { id: this.id, model: this.model, created: this.created, system_fingerprint: this.systemFingerprint, usage: this.usage };
  }
}
