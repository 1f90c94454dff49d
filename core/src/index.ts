/**
 * @rnb/core: the plugin API, notebook model, dependency graph, reactive
 * scheduler and sandboxed kernel processes. Everything exported here is
 * public API; everything else is internal.
 */
export * from './errors';
export type { AppCell, AppNotebook, AppSettings, Cell, CellStatus, JsonValue, Notebook, Output, OutputStream, TableData, WidgetData } from './model/types';
export { CLEAR_OUTPUT_MIME, MARKDOWN_MIME, TABLE_MIME, WIDGET_MIME } from './model/types';

// Plugin API
export { createToken, type Token, type TokenType } from './plugin/tokens';
export { definePlugin, type AnyPlugin, type Plugin, type PluginContext, type Resolved, type TokenMap } from './plugin/define-plugin';
export { PluginHost, type PluginHostOptions } from './plugin/plugin-host';
export { AuthProvider, LanguageRegistry, NotebookStore } from './tokens';

// Languages
export type { AnalyserModuleSpec, Analysis, AnalysisError, HostService, HostServiceContext, LanguageDefinition, LanguageEditorSpec, RuntimeModuleSpec } from './language/language';
export { AnalysisPool, tooComplexMessage, type AnalysisPoolOptions } from './analysis/analysis-pool';
export type {
  CellFailureShape,
  CellIO,
  CellRun,
  LanguageRuntime,
  Namespace,
  NamespaceEntry,
  RuntimeContext,
  RuntimeFactory,
  TableColumns,
  VariableBudget,
  VariableDescription,
} from './language/runtime-api';
export { DefaultLanguageRegistry, languageRegistryPlugin } from './language/registry';

// Storage and auth contracts
export type { ExternalChange, NotebookDocument, NotebookShare, NotebookSummary, SaveOptions, SharedNotebookSummary, StoredCell, StoredWidget } from './storage/storage';
export { lastRunOf } from './storage/storage';
export { MemoryNotebookStore } from './storage/memory-store';
export { SecretBox, withSealedSecrets, type SecretStoreOptions } from './storage/secrets';
export {
  describeSettingFields,
  SettingsCatalog,
  type NotebookSettings,
  type PluginSettingsDeclaration,
  type PluginSettingValues,
  type SettingField,
  type SettingFieldDescription,
  type SettingFieldType,
  type SettingsChange,
  type SettingValue,
} from './settings/plugin-settings';
export type { Identity } from './auth/auth';

// Notebook assistant (a model provider behind the host's chat route)
export {
  AssistantProvider,
  type AssistantJsonSchema,
  type AssistantMessage,
  type AssistantToolCall,
  type AssistantToolResult,
  type AssistantToolSpec,
  type AssistantTurnListener,
  type AssistantTurnRequest,
  type AssistantTurnResult,
} from './assistant/assistant';

// Graph and scheduling
export { DependencyGraph, type CellDependencies, type GraphError } from './graph/dependency-graph';
export { planRun, type Plan, type PlanRequest, type PlannedCell } from './scheduler/planner';

// Kernels
export { KernelManager, KernelSession, DEFAULT_LIMITS, defaultMaxSessions, type KernelManagerOptions, type SessionListener } from './kernel/kernel-manager';
export type { IsolationLayers, SandboxOptions } from './kernel/sandbox';
export { kernelV8Flags, probeIsolation } from './kernel/sandbox';
export type { KernelLimits } from './kernel/protocol';

// Notebooks
export { NotebookService, type NotebookServiceOptions } from './session/notebook-service';
export { DEFAULT_NOTEBOOK_LIMITS, type NotebookLimits } from './session/limits';
export { DEFAULT_MAX_CELL_BYTES } from './session/analyse';
export type { KernelProvider, RunKernel } from './session/run-coordinator';
export type { CellError, CellErrorKind } from './session/cell-error';
export type { NotebookEvent, NotebookEventListener, NotebookEventPayloads } from './session/events';
export type { VariableInfo } from './wire';
export type { CreateCellInput, NewNotebookInput, NotebookOperations, NotebookView, UpdateCellInput } from './session/service-api';
export { maskConnectionString } from './session/format';
export { AppSessions, appEvent, appErrorText, appNotebook, appNotebookOfDocument, type AppSessionsOptions, type AppViewer, type AppEventListener } from './session/app-sessions';
export { DEFAULT_APP_SETTINGS } from './session/notebook-session';
export { checkExpectedRevision, checkNotebookId, checkOwner, isValidNotebookId, normalizeDocument, NOTEBOOK_ID } from './storage/validation';

// Notebooks as files (percent format) for storage plugins and the command line
export {
  escapeCodeLine,
  MARKDOWN_CELL_TYPE,
  NotebookFileError,
  PERCENT_FORMAT_VERSION,
  readPercentNotebook,
  SCRIPT_CELL_TYPE,
  unescapeCodeLine,
  writePercentNotebook,
  type FileAppSettings,
  type NotebookFile,
  type NotebookFileCell,
  type ReadOptions,
} from './notebook-file/percent-format';
export { formatPackageList, PACKAGES_FIELD, PACKAGES_PLUGIN, packagesOfSettings, parsePackageList, settingsWithPackages } from './notebook-file/packages';
export { appWithFile, fileAppOf, fileSettingsOf, settingsWithFile, type IsSecretSetting } from './notebook-file/file-settings';
export { exportIpynb, importIpynb, type IpynbImport } from './notebook-file/ipynb';
export { exportHtml, type ChartKind, type HtmlExportOptions, type MarkdownToHtml } from './notebook-file/html-export';
export { exportMarkdown } from './notebook-file/markdown';
export { outputAsText } from './notebook-file/output-text';
export { nameCellsByPosition } from './notebook-file/cell-names';
export { documentFileOf, fileOf as notebookFileOf, portableOf, withoutResults, type PortableCell, type PortableNotebook } from './notebook-file/portable';
export { FileHistoryStore, MemoryHistoryStore, retain, type HistoryRetention, type HistoryStore, type NotebookVersion, type VersionCell, type VersionReason } from './history/history-store';
export { diffLines, diffVersions, summarizeDiff, type CellDiff, type DiffLine } from './history/version-diff';
export { MAX_WIDGET_VALUE_CHARS, type RuntimeWidgetAnswer } from './session/widget-values';
