// The engine answers in the operator's vocabulary (topic and group reports, reset plans), which
// every source shares and WharfAdmin defines: whoever imports the engine gets it with it, as the
// engine's public API cannot be used without those types.
@_exported import WharfAdmin
