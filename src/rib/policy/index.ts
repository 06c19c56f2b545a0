/**
 * DOC: the public surface of the policy engine: the language (types.ts), compile/evaluate (policy.ts), Calico's
 * filters (calico.ts, bgp-filter.ts) and the RIB hook adapters (adapters.ts).
 */
export * from './types';
export { compilePolicy, compileRules, evaluate, newPolicyResult, FunctionTable, Outcome, type CompiledPolicy, type Step } from './policy';
export { FilterState } from './filter-state';
export { compileGlob, globMatch } from './glob';
export { compileCondition, compileConditions, asPathStartsWith, canonicalAddress, type Test } from './match';
export { compileEdit, prependAs, type Edit } from './actions';
export { bgpFilterFunction, bgpFilterFunctionName, translateFilterRule, parseCommunity, filterRules } from './bgp-filter';
export {
  CalicoPolicies, calicoFunctionDefs, calicoImportPolicyDef, calicoExportPolicyDef, calicoKernelPolicyDef,
  exportToBgpPeersDef, calicoAggrDef, applyCommunitiesDef, rejectLocalRoutesDef, KERNEL_FILTER_NAME,
  FN_APPLY_COMMUNITIES, FN_CALICO_AGGR, FN_EXPORT_TO_BGP_PEERS, FN_REJECT_LOCAL_ROUTES,
  type CalicoPolicyInput, type CalicoPeerInput,
} from './calico';
export { importPolicyOf, exportPolicyOf, type RouteFacts } from './adapters';
