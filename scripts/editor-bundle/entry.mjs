// The workspace editor, bundled by scripts/build-editor-bundle into
// webapp/static/vendor/codemirror6/editor.min.js as the global `ArchlabEditor`.
//
// webapp/static/js/workspace.js keeps one EditorState per file (so each file keeps its own
// undo history) and swaps it into one EditorView. Keys: Tab indents (the selected lines, or
// to the next indent stop at the cursor), Shift+Tab dedents; Esc then Tab leaves the editor
// (CodeMirror's tab focus mode), Ctrl/Cmd+F searches, brackets are matched, and wrapped
// lines hang at their own indent.
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { python } from "@codemirror/lang-python";
import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { yaml } from "@codemirror/lang-yaml";
import {
  StreamLanguage, bracketMatching, defaultHighlightStyle, indentOnInput, indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { dockerFile } from "@codemirror/legacy-modes/mode/dockerfile";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { EditorSelection, EditorState, RangeSetBuilder, countColumn } from "@codemirror/state";
import {
  Decoration, EditorView, ViewPlugin, drawSelection, highlightActiveLine,
  highlightActiveLineGutter, keymap, lineNumbers,
} from "@codemirror/view";

const INDENT = 4;

function languageFor(path) {
  const name = path.split("/").pop();
  if (/\.py$/.test(name)) { return python(); }
  if (/\.json$/.test(name)) { return json(); }
  if (/\.ya?ml$/.test(name)) { return yaml(); }
  if (/\.sql$/.test(name)) { return sql({ dialect: PostgreSQL }); }
  if (/^Dockerfile/.test(name)) { return StreamLanguage.define(dockerFile); }
  if (/\.toml$/.test(name)) { return StreamLanguage.define(toml); }
  if (/\.sh$/.test(name)) { return StreamLanguage.define(shell); }
  return [];
}

// Tab: indent the selected lines; with nothing selected, spaces up to the next indent stop.
function indentOrInsert(view) {
  const { state } = view;
  if (state.selection.ranges.some((range) => !range.empty)) { return indentMore(view); }
  view.dispatch(state.update(state.changeByRange((range) => {
    const line = state.doc.lineAt(range.head);
    const column = countColumn(line.text.slice(0, range.head - line.from), state.tabSize);
    const spaces = " ".repeat(INDENT - (column % INDENT));
    return { changes: { from: range.head, insert: spaces },
             range: EditorSelection.cursor(range.head + spaces.length) };
  }), { scrollIntoView: true, userEvent: "input.indent" }));
  return true;
}

// Esc arms Tab to leave the editor for 2 s (CodeMirror's tab focus mode) whatever else Esc
// does: CodeMirror arms it only when no key binding took the Esc, so an Esc that collapsed a
// selection or closed the search panel left the next Tab indenting instead of leaving.
const escapeThenTabLeaves = EditorView.domEventObservers({
  keydown(event, view) { if (event.key === "Escape") { view.setTabFocusMode(2000); } },
});

// Wrapped lines keep their indent: each line hangs at the width of its leading whitespace.
function hangingIndents(view) {
  const builder = new RangeSetBuilder();
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to;) {
      const line = view.state.doc.lineAt(pos);
      const lead = /^[ \t]*/.exec(line.text)[0];
      if (lead.length && lead.length < line.text.length) {
        const columns = countColumn(lead, view.state.tabSize);
        builder.add(line.from, line.from, Decoration.line({
          attributes: { style: `--hang: ${columns}ch`, class: "cm-hanging" } }));
      }
      pos = line.to + 1;
    }
  }
  return builder.finish();
}

const hangingIndent = ViewPlugin.fromClass(class {
  constructor(view) { this.decorations = hangingIndents(view); }
  update(update) {
    if (update.docChanged || update.viewportChanged) { this.decorations = hangingIndents(update.view); }
  }
}, { decorations: (plugin) => plugin.decorations });

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "0.9rem" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-gutters": { backgroundColor: "var(--wash)", color: "var(--muted)", borderRight: "1px solid var(--line)" },
  ".cm-line.cm-hanging": { paddingLeft: "calc(var(--hang) + 6px)", textIndent: "calc(-1 * var(--hang))" },
  "&.cm-focused": { outline: "3px solid #f0a500" },
});

// create(parent, onChange, describedBy): one view in `parent`; stateFor(path, text) makes a
// file's state, whose edits call onChange(path). `describedBy`: the id of the keys' hint.
function create(parent, onChange, describedBy) {
  const view = new EditorView({ parent });
  function stateFor(path, text) {
    return EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), history(),
        drawSelection(), indentOnInput(), bracketMatching(), highlightSelectionMatches(),
        search({ top: true }), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorState.tabSize.of(INDENT), indentUnit.of(" ".repeat(INDENT)),
        EditorView.lineWrapping, hangingIndent, escapeThenTabLeaves, theme, languageFor(path),
        EditorView.contentAttributes.of({ "aria-label": `Code editor: ${path}`,
                                          "aria-describedby": describedBy || "" }),
        keymap.of([{ key: "Tab", run: indentOrInsert, shift: indentLess },
                   ...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.updateListener.of((update) => { if (update.docChanged) { onChange(path); } }),
      ],
    });
  }
  return { view, stateFor };
}

// viewOf(element): the EditorView drawn in `element` (tests read and drive it this way).
function viewOf(element) {
  const editor = element.closest(".cm-editor") || element.querySelector(".cm-editor");
  return editor ? EditorView.findFromDOM(editor) : null;
}

window.ArchlabEditor = { create, viewOf };
