import { describe, it, expect } from "vitest";
import { decode, encode } from "../../src/protocol/codec.ts";
import { JSON_DEPTH_MAX, jsonShapeProblem } from "../../src/protocol/json-shape.ts";

/** `levels` objects nested inside one another, the outermost included. */
function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe("jsonShapeProblem: what a body must be to read back unchanged", () => {
  it("accepts up to JSON_DEPTH_MAX levels of objects and arrays, and what it accepts round-trips through msgpack", () => {
    const deepest = nested(JSON_DEPTH_MAX);
    expect(jsonShapeProblem(deepest)).toBeNull();
    expect(decode(encode(deepest))).toEqual(deepest);
    const ctor = JSON.parse('{"constructor":{"prototype":{"polluted":true}},"prototype":[1,{"x":"😀"}]}') as unknown;
    expect(jsonShapeProblem(ctor)).toBeNull();
    expect(decode(encode(ctor))).toEqual(ctor);
    expect(jsonShapeProblem({ bin: new Uint8Array([1]), at: new Date(0), n: null, s: "é" })).toBeNull();
  });

  it("names where a body goes too deep, has a __proto__ key or a lone surrogate", () => {
    expect(jsonShapeProblem(nested(JSON_DEPTH_MAX + 1))).toEqual({
      path: ".a".repeat(JSON_DEPTH_MAX),
      problem: `nested too deep: at most ${JSON_DEPTH_MAX} levels of objects and arrays`,
    });
    expect(jsonShapeProblem([[[1]]], 2)).toMatchObject({ path: "[0][0]" }); // the third array is level 3
    expect(jsonShapeProblem(JSON.parse('{"a":[0,{"__proto__":{}}]}'))).toEqual({
      path: ".a[1]",
      problem: 'the key "__proto__" is not allowed',
    });
    expect(jsonShapeProblem({ msg: "a\ud800b" })).toEqual({ path: ".msg", problem: "not valid Unicode (a lone surrogate)" });
    expect(jsonShapeProblem({ ["k\udc00"]: 1 })).toMatchObject({ path: "", problem: expect.stringMatching(/^a key is not valid Unicode/) });
    // Why: the decoder refuses to read such a key back.
    expect(() => decode(encode(JSON.parse('{"__proto__":{}}')))).toThrow(/__proto__/);
  });
});
