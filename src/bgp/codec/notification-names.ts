/**
 * DOC: display names for NOTIFICATION error codes and subcodes (IANA "BGP Error (Notification) Codes" and
 * "BGP Error Subcodes" registries).
 *
 * Owns the names only: RFC 4271 §4.5 codes 1-6 and their subcodes, plus later registrations: OPEN 2/7 (RFC 5492)
 * and 2/11 (RFC 9234), FSM subcodes (RFC 6608), Cease subcodes 1-10 (RFC 4486, RFC 8538, RFC 9384), ROUTE-REFRESH
 * 7/1 (RFC 7313) and Send Hold Timer Expired 8 (RFC 9687). Subcode 0 is "Unspecific" (RFC 4271 §4.5).
 */

/** Code → name. */
export const NOTIFICATION_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

/** Code → subcode → name, for the codes that have subcodes. */
export const NOTIFICATION_SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: {
    0: 'Unspecific',
    1: 'Connection Not Synchronized',
    2: 'Bad Message Length',
    3: 'Bad Message Type',
  },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    5: 'Authentication Failure (deprecated)',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    8: 'Grouping Conflict (deprecated)',
    9: 'Grouping Required (deprecated)',
    10: 'Capability Value Mismatch (deprecated)',
    11: 'Role Mismatch',
  },
  3: {
    0: 'Unspecific',
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    7: 'AS Routing Loop (deprecated)',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    0: 'Unspecific',
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: {
    0: 'Unspecific',
    1: 'Invalid Message Length',
  },
};

/**
 * `"Cease / Administrative Shutdown"`; just the code name for codes without subcodes when the subcode is 0
 * (`"Hold Timer Expired"`); numbers for anything unregistered (`"Code 9 / Subcode 1"`, `"Cease / Subcode 42"`).
 */
export function notificationName(code: number, subcode: number): string {
  const codeName = NOTIFICATION_CODE_NAMES[code] ?? `Code ${code}`;
  const subs = NOTIFICATION_SUBCODE_NAMES[code];
  if (!subs && subcode === 0) return codeName;
  return `${codeName} / ${subs?.[subcode] ?? `Subcode ${subcode}`}`;
}
