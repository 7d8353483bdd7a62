import { NimbusError } from "../../protocol/errors.ts";

/** A service field name -> the REST parameter that carried it, for one endpoint. */
export type CallerNames = Readonly<Record<string, string>>;

/** The field a refusal names: the start of `field: …`, `field.sub: …` or `field[2]: …`. */
const FIELD = /^([A-Za-z_]\w*)(?=[.:[])/;

/**
 * Waits for a service call and, if it refuses, names the parameter the caller sent. The messaging
 * service is shared by both edges and names its own fields (`toTime: …`, `clientMsgId: …`); a REST
 * caller sent `endtime` and `msgidClient`, and a `desc` must name what the caller can find in its
 * own request. Only the leading field is renamed; the code and the rest of the text stay.
 */
export async function namedAsSent<T>(names: CallerNames, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw err instanceof NimbusError ? renamed(err, names) : err;
  }
}

function renamed(err: NimbusError, names: CallerNames): NimbusError {
  const field = FIELD.exec(err.message)?.[1];
  if (field === undefined || !Object.hasOwn(names, field)) return err;
  return NimbusError.fromWire(err.code, names[field] + err.message.slice(field.length));
}
