/** Thrown inside a turn when this activation has been fenced off by a newer one. */
export class StaleActivationError extends Error {
  override name = "StaleActivationError";
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(`activation of ${address} is stale`, options);
  }
}

/** No factory is registered for the kind of an address. */
export class UnknownActorKindError extends Error {
  override name = "UnknownActorKindError";
  constructor(readonly kind: string) {
    super(`no actor kind ${JSON.stringify(kind)} is registered`);
  }
}
