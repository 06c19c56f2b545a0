/**
 * DOC: builds a benchmark DUT by kind (see dut.ts for the contract and the configuration equivalence).
 */
import { BirdDut } from './bird';
import type { Dut, DutKind, DutOptions } from './dut';
import { FrrDut } from './frr';
import { OpenBgpdDut } from './openbgpd';
import { PetrelDut } from './petrel';

export * from './dut';

/** A fresh, unstarted DUT of `kind`. */
export function createDut(kind: DutKind, opts: DutOptions = {}): Dut {
  switch (kind) {
    case 'petrel':
      return new PetrelDut(opts);
    case 'bird2':
    case 'bird1':
      return new BirdDut(kind);
    case 'frr':
      return new FrrDut();
    case 'openbgpd':
      return new OpenBgpdDut();
  }
}
