#!/usr/bin/env node
// Independent validation of the CSAF 2.0 documents cargo-cra writes, with BSI's
// @secvisogram/csaf-validator-lib: `validateStrict` with the `basic` preset (the strict
// CSAF 2.0 schema plus every mandatory test, 6.1.x). A document passes when no test reports
// an error.
//
// Usage: node validate_csaf.mjs LIB_DIR PATH...
//   LIB_DIR  the installed package (…/node_modules/@secvisogram/csaf-validator-lib)
//   PATH     files, or directories searched recursively for *.csaf.json
//
// Exit status: 0 when every document is valid, 1 when any is invalid, 2 when nothing was
// found or the library cannot be loaded (so that CI never passes by validating nothing).

import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [libDir, ...paths] = process.argv.slice(2)
if (!libDir || paths.length === 0) {
  console.error('usage: node validate_csaf.mjs LIB_DIR PATH...')
  process.exit(2)
}

let basic, validateStrict
try {
  basic = await import(pathToFileURL(join(libDir, 'basic.js')).href)
  validateStrict = (await import(pathToFileURL(join(libDir, 'validateStrict.js')).href)).default
} catch (e) {
  console.error(`error: cannot load @secvisogram/csaf-validator-lib from ${libDir}: ${e.message}`)
  process.exit(2)
}

function collect(p, out) {
  let st
  try {
    st = statSync(p)
  } catch {
    console.error(`error: ${p}: no such file or directory`)
    process.exit(2)
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) {
      const child = join(p, name)
      if (statSync(child).isDirectory() || name.endsWith('.csaf.json')) collect(child, out)
    }
  } else {
    out.push(p)
  }
}

const files = []
for (const p of paths) collect(p, files)
if (files.length === 0) {
  console.error('error: no *.csaf.json files found')
  process.exit(2)
}

const tests = Object.values(basic)
let failed = 0
for (const file of files) {
  let doc
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    console.log(`FAILED ${file}: not JSON: ${e.message}`)
    failed++
    continue
  }
  const result = await validateStrict(tests, doc)
  const errors = result.tests.flatMap((t) =>
    t.errors.map((e) => `${t.name}: ${e.instancePath || '/'}: ${e.message}`)
  )
  const warnings = result.tests.flatMap((t) =>
    t.warnings.map((w) => `${t.name}: ${w.instancePath || '/'}: ${w.message}`)
  )
  if (result.isValid && errors.length === 0) {
    console.log(`ok ${file} (${doc.document?.category}, ${tests.length} tests)`)
    for (const w of warnings) console.log(`  warning: ${w}`)
  } else {
    console.log(`FAILED ${file}`)
    for (const e of errors) console.log(`  error: ${e}`)
    failed++
  }
}
console.log(`${files.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
