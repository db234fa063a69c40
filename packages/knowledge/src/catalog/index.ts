export { knowledgeRoot, knowledgeDataDir, PREBUILT_FILE, type PrebuiltData } from './data-file.js';
export { piCategories, piCategory, isPICategoryId, type PICategory } from './pi.js';
export {
  sensitiveApis,
  sensitiveApi,
  isWellFormedSignature,
  SENSITIVE_API_KINDS,
  SENSITIVITIES,
  type SensitiveApi,
  type SensitiveApiKind,
  type Sensitivity,
} from './sensitive-apis.js';
export {
  findSdkNames,
  sdkByName,
  sdkNameIndex,
  normalizeSdkName,
  SdkNameIndex,
  type SdkNameMatch,
  type SdkNameVia,
  type SdkNameEntry,
} from './sdk-names.js';
export { appTypes, appType, appTypesSource, type AppType, type NecessaryPI } from './app-types.js';
export {
  platformPermissions,
  platformPermission,
  isDangerousPermission,
  type PlatformPermission,
  type LocalizedText,
} from './permissions.js';
export {
  loadMeasureCatalog,
  measureIds,
  EVIDENCE_KINDS,
  CONFIDENCES,
  MEASURE_ACTORS,
  MEASURE_PARTS,
  MEASURE_ASSESSMENTS,
  type Measure,
  type MeasureGroup,
  type MeasureScenario,
  type MeasureParameter,
  type MeasureCatalog,
  type MeasureSource,
  type MeasureActor,
  type MeasurePart,
  type MeasureAssessment,
  type ScenarioCategory,
  type ScenarioKind,
  type EvidenceKind,
  type Confidence,
} from './measures.js';
