export * from './catalog/index.js';
export * from './catalog/sdks.js';
export * from './catalog/validate-sdks.js';
export * from './detect/index.js';
export {
  loadKnowledge,
  loadKnowledgeAsync,
  createKnowledgeSnapshot,
  readKnowledgeData,
  prebuildKnowledgeData,
  type KnowledgeSnapshot,
  type KnowledgeData,
  type KnowledgeVersions,
} from './snapshot.js';
