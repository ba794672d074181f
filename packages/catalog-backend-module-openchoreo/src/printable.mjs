// Text from the API made safe for a log line: control characters (CR and LF that would forge log lines,
// terminal escape sequences), Unicode line separators and bidirectional overrides are written as
// escapes, so that one message stays one line and shows what was sent.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `message` with `\n`, `\r`, `\t` and `\u{…}` escapes in place of unsafe characters. */
export function printable(message) {
  return String(message).replace(UNSAFE, (c) => NAMED[c] ?? `\\u{${c.codePointAt(0).toString(16)}}`);
}
