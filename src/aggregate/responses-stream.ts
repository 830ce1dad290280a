import type {
  ResponsesFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesReasoningItem,
  ResponsesResponse,
  ResponsesStreamEvent,
} from '../wire/responses';

/** One output item while its events are arriving. */
interface ItemState {
  /** From `output_item.added`, replaced by the complete item of `output_item.done`. */
  item: ResponsesOutputItem | undefined;
  done: boolean;
  text: string;
  reasoning: string;
  arguments: string;
}

/**
 * Folds the named events of a Responses API stream (`event: response.output_text.delta` …,
 * no `[DONE]`) into the `response` object a non-stream call would have returned. The
 * terminal event (`response.completed`, `.incomplete`, `.failed`) carries that object
 * whole and wins; a stream cut before it is rebuilt from `response.created` and the output
 * items: complete ones from `output_item.done`, the others from their deltas.
 */
export class ResponsesStreamAggregator {
  private started: ResponsesResponse | undefined;
  private final: ResponsesResponse | undefined;
  private readonly items = new Map<number, ItemState>();

  /** Folds in one validated event; its `type` names it (the `event:` line says the same). */
  add(event: ResponsesStreamEvent): void {
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
        this.started = event.response ?? this.started;
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.final = event.response ?? this.final;
        break;
      case 'response.output_item.added':
      case 'response.output_item.done': {
        const state = this.itemState(event.output_index);
        state.item = event.item ?? state.item;
        state.done ||= event.type === 'response.output_item.done';
        break;
      }
      case 'response.output_text.delta':
        this.itemState(event.output_index).text += event.delta ?? '';
        break;
      case 'response.reasoning_text.delta':
      case 'response.reasoning_summary_text.delta':
        this.itemState(event.output_index).reasoning += event.delta ?? '';
        break;
      case 'response.function_call_arguments.delta':
        this.itemState(event.output_index).arguments += event.delta ?? '';
        break;
      default:
      // content_part.*, *.done, tool-call progress: nothing the final body needs.
    }
  }

  /** The folded response, or undefined when no event carried any of it. */
  result(): ResponsesResponse | undefined {
    if (this.final !== undefined) return this.final;
    if (this.started === undefined && this.items.size === 0) return undefined;
    const output = [...this.items.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, state]) => rebuild(state))
      .filter((item): item is ResponsesOutputItem => item !== undefined);
    return { ...this.started, object: 'response', output, usage: this.started?.usage ?? null };
  }

  private itemState(outputIndex: number | null | undefined): ItemState {
    const index = outputIndex ?? 0;
    let state = this.items.get(index);
    if (state === undefined) {
      state = { item: undefined, done: false, text: '', reasoning: '', arguments: '' };
      this.items.set(index, state);
    }
    return state;
  }
}

/** A complete item as sent, or an unfinished one with what its deltas brought. */
function rebuild(state: ItemState): ResponsesOutputItem | undefined {
  const item = state.item;
  if (item === undefined || state.done) return item;
  switch (item.type) {
    case 'message':
      return { ...(item as ResponsesOutputMessage), content: state.text === '' ? [] : [{ type: 'output_text', text: state.text }] };
    case 'reasoning':
      return state.reasoning === '' ? item : { ...(item as ResponsesReasoningItem), content: [{ type: 'reasoning_text', text: state.reasoning }] };
    case 'function_call': {
      const call = item as ResponsesFunctionCall;
      // The added item may already hold the first fragment; the deltas then repeat it.
      const args = state.arguments.startsWith(call.arguments) ? state.arguments : call.arguments + state.arguments;
      return { ...call, arguments: args };
    }
    default:
      return item;
  }
}
