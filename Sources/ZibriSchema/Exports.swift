// The spec's values (`default`, `example`, `enum`, `const`) are JSON values: whoever reads a
// spec reads them, so `import ZibriSchema` brings the JSON module along.
@_exported public import ZibriJSON
