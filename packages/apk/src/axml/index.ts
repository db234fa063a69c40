export {
  parseAxml,
  ANDROID_NAMESPACE,
  AxmlChunk,
  DEFAULT_AXML_LIMITS,
  type AxmlAttribute,
  type AxmlDocument,
  type AxmlElement,
  type AxmlLimits,
  type AxmlNamespace,
  type AxmlNode,
  type AxmlText,
  type AxmlValue,
  type AxmlWarning,
  type ParseAxmlOptions,
} from './parser.js';
export { FRAMEWORK_ATTRIBUTES, frameworkAttributeName } from './framework-attributes.js';
