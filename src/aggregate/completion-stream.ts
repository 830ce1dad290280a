import type { CompletionChoice, CompletionChunk, CompletionResponse } from '../wire/completion';
import { StreamEnvelope } from './stream-envelope';

/**
 * Folds text-completion stream events into the `text_completion` body a non-stream call
 * would have returned: text concatenated per choice index, the last finish/stop reason of
 * each choice, and the last usage seen (the `choices: []` chunk of `include_usage`, or the
 * cumulative usage of `continuous_usage_stats`). A whole response sent as the only event
 * has the chunk's shape and folds into itself.
 */
export class CompletionStreamAggregator {
  private readonly envelope = new StreamEnvelope();
  private readonly choices = new Map<number, CompletionChoice>();

  /** Folds in one validated chunk. */
  add(chunk: CompletionChunk): void {
    this.envelope.add(chunk);
    for (const delta of chunk.choices) {
      let choice = this.choices.get(delta.index);
      if (choice === undefined) {
        choice = { index: delta.index, text: '', finish_reason: null, stop_reason: null };
        this.choices.set(delta.index, choice);
      }
      choice.text += delta.text;
      if (delta.finish_reason != null) choice.finish_reason = delta.finish_reason;
      if (delta.stop_reason != null) choice.stop_reason = delta.stop_reason;
    }
  }

  /** The aggregated response, or undefined when no chunk arrived. */
  result(): CompletionResponse | undefined {
    if (this.envelope.chunkCount === 0) return undefined;
    const choices = [...this.choices.values()].sort((a, b) => a.index - b.index);
    const { id, model, created, system_fingerprint, usage } = this.envelope.fields();
    return { id, object: 'text_completion', created, model, system_fingerprint, choices, usage };
  }
}
