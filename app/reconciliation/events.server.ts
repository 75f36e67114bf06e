// The back office's view of the processor event inbox; the processors themselves live in webhooks/.
export { EVENT_PAGE_SIZE, eventState, getProcessorEvent, listProcessorEvents, replayEvent, type EventState } from "~webhooks/stripe/process.server";
