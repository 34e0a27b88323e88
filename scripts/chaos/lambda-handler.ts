/**
 * The chaos run's Lambda function: takes a little while (so an engine kill can cut it mid-run)
 * and echoes its event.
 */
export async function handler(event: unknown): Promise<{ echoed: unknown }> {
  await new Promise<void>((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 400)));
  return { echoed: event };
}
