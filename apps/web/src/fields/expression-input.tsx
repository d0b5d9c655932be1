import {
  autocompletion,
  type CompletionContext,
  type CompletionResult,
  closeBrackets,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { Annotation, EditorState, type Extension } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  keymap,
  MatchDecorator,
  placeholder as placeholderText,
  tooltips,
  ViewPlugin,
  type ViewUpdate,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';
import {
  type DataPath,
  type InsertTarget,
  insertionFor,
  insideExpression,
  useExpressionEnvironment,
} from './expression-environment.ts';

/** Marks a change that came from the value (undo, a new node), not from typing. */
const fromValue = Annotation.define<boolean>();

const expressionMark = Decoration.mark({ class: 'cm-expression' });
const braceMark = Decoration.mark({ class: 'cm-expression-brace' });

/** `{{ … }}` drawn as code: the braces and the expression inside them. */
const expressionHighlight = ViewPlugin.fromClass(
  class {
    decorations;
    readonly matcher = new MatchDecorator({
      regexp: /(\{\{)([\s\S]*?)(\}\})/g,
      decorate(add, from, _to, match) {
        const open = match[1]!.length;
        const inner = match[2]!.length;
        add(from, from + open, braceMark);
        if (inner > 0) add(from + open, from + open + inner, expressionMark);
        add(from + open + inner, from + open + inner + 2, braceMark);
      },
    });
    constructor(view: EditorView) {
      this.decorations = this.matcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = this.matcher.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const pathChars = /[\w$.`[\]-]*/;

/** Completes paths into the node's data, only inside `{{ }}`. */
function pathCompletions(paths: () => readonly DataPath[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const text = context.state.doc.toString();
    if (!insideExpression(text, context.pos)) return null;
    const word = context.matchBefore(pathChars);
    if (!word) return null;
    // Right after `{{` the list opens by itself; elsewhere it waits for a letter (or Ctrl+Space).
    const justOpened = /\{\{\s*$/.test(text.slice(0, word.from));
    if (word.from === word.to && !context.explicit && !justOpened) return null;
    return {
      from: word.from,
      options: paths().map((entry) => ({
        label: entry.path,
        detail: entry.preview ?? entry.type,
        type: entry.type === 'object' || entry.type === 'array' ? 'namespace' : 'property',
      })),
      validFor: pathChars,
    };
  };
}

const singleLine: Extension = EditorState.transactionFilter.of((transaction) =>
  transaction.newDoc.lines > 1 ? [] : transaction,
);

/**
 * A CodeMirror 6 editor for text that holds `{{ }}` expressions: the expressions are
 * highlighted, paths into the node's data complete inside them (Ctrl+Space lists them all),
 * and the data panel inserts into it while it has (or last had) the focus.
 */
export function ExpressionInput({
  id,
  labelId,
  value,
  placeholder,
  multiline = false,
  invalid,
  testId,
  onChange,
}: {
  id: string;
  labelId: string;
  value: string;
  placeholder?: string;
  multiline?: boolean;
  invalid: boolean;
  testId?: string;
  onChange(text: string): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const environment = useExpressionEnvironment();
  // The editor is built once; these refs give its callbacks the latest props.
  const latest = useRef({ environment, onChange });
  latest.current = { environment, onChange };

  useEffect(() => {
    const target: InsertTarget = {
      insertPath(path) {
        const editor = view.current;
        if (!editor) return;
        const { from, to } = editor.state.selection.main;
        const insert = insertionFor(editor.state.doc.toString(), from, path);
        editor.dispatch({
          changes: { from, to, insert },
          selection: { anchor: from + insert.length },
          scrollIntoView: true,
        });
        editor.focus();
      },
    };
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          autocompletion({
            override: [pathCompletions(() => latest.current.environment.paths)],
            icons: false,
            maxRenderedOptions: 60,
          }),
          expressionHighlight,
          placeholder ? placeholderText(placeholder) : [],
          // Long URLs wrap rather than scroll, so the whole value stays in view.
          EditorView.lineWrapping,
          multiline ? [] : singleLine,
          // The list of paths may be wider than the panel, which clips its overflow.
          tooltips({ parent: document.body }),
          EditorView.contentAttributes.of({
            'aria-labelledby': labelId,
            'aria-multiline': String(multiline),
            role: 'textbox',
            id,
          }),
          EditorView.domEventHandlers({
            focus: () => latest.current.environment.focused(target),
          }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            if (update.transactions.some((t) => t.annotation(fromValue))) return;
            latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  // A change from outside (undo, redo) replaces the text without reporting it back.
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current === value) return;
    editor.dispatch({
      changes: { from: 0, to: current.length, insert: value },
      annotations: fromValue.of(true),
    });
  }, [value]);

  return (
    <div
      ref={host}
      className={multiline ? 'expression-input expression-input-multiline' : 'expression-input'}
      data-invalid={invalid || undefined}
      data-testid={testId}
    />
  );
}
