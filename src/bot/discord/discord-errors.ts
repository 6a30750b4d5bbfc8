import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import { BatonError } from "../../errors.js";

/**
 * A failed Discord REST call as a BatonError: retryable for rate limits, server errors and the
 * network, not for requests Discord refused (unknown channel, missing access, bad body).
 */
export function toDiscordError(error: unknown, what: string): BatonError {
  if (error instanceof BatonError) return error;
  if (error instanceof DiscordAPIError) {
    return new BatonError("http_error", `Discord refused to ${what}: ${error.message} (HTTP ${error.status}).`, {
      cause: error,
      retryable: error.status === 429 || error.status >= 500,
    });
  }
  if (error instanceof HTTPError || error instanceof RateLimitError) {
    return new BatonError("http_error", `Discord could not ${what}: ${error.message}.`, {
      cause: error,
      retryable: true,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BatonError("http_error", `Could not reach Discord to ${what}: ${message}.`, {
    cause: error,
    retryable: true,
  });
}
