import {
  autocompletion,
  type CompletionContext,
  type CompletionResult,
  closeBrackets,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import {
  Annotation,
  EditorState,
  type Extension,
  StateEffect,
  StateField,
} from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
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

const jsonMarks = {
  key: Decoration.mark({ class: 'cm-json-key' }),
  string: Decoration.mark({ class: 'cm-json-string' }),
  number: Decoration.mark({ class: 'cm-json-number' }),
  literal: Decoration.mark({ class: 'cm-json-literal' }),
  punctuation: Decoration.mark({ class: 'cm-json-punctuation' }),
};

/**
 * JSON drawn by token: keys, strings, numbers, `true`/`false`/`null` and punctuation. A regular
 * expression per line is enough (JSON strings never span lines) and needs no parser package.
 */
const jsonHighlight = ViewPlugin.fromClass(
  class {
    decorations;
    readonly matcher = new MatchDecorator({
      regexp:
        /("(?:[^"\\\n]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g,
      decorate(add, from, to, match) {
        if (match[1] !== undefined) {
          const end = from + match[1].length;
          add(from, end, match[2] !== undefined ? jsonMarks.key : jsonMarks.string);
          if (match[2] !== undefined) add(to - 1, to, jsonMarks.punctuation);
        } else if (match[3] !== undefined) add(from, to, jsonMarks.number);
        else if (match[4] !== undefined) add(from, to, jsonMarks.literal);
        else add(from, to, jsonMarks.punctuation);
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

/** Where the text stops parsing: a wavy underline on that character (or the last one). */
const setErrorAt = StateEffect.define<number | null>();
const errorMark = Decoration.mark({
  class: 'cm-parse-error',
  attributes: { 'data-parse-error': '' },
});
const parseErrorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    let next = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorAt)) continue;
      const length = transaction.state.doc.length;
      if (effect.value === null || length === 0) {
        next = Decoration.none;
      } else {
        const from = Math.max(0, Math.min(effect.value, length - 1));
        next = Decoration.set([errorMark.range(from, from + 1)]);
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

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
 * and the data panel inserts into it while it has (or last had) the focus. With
 * `language="json"` the JSON is highlighted too and `errorAt` underlines where it stops parsing.
 */
export function ExpressionInput({
  id,
  labelId,
  value,
  placeholder,
  multiline = false,
  language,
  acceptsExpressions = true,
  errorAt = null,
  describedBy,
  invalid,
  testId,
  contentTestId,
  onChange,
}: {
  id: string;
  labelId: string;
  value: string;
  placeholder?: string;
  multiline?: boolean;
  language?: 'json';
  /** False for JSON that is never evaluated: no completion, and the data panel does not insert. */
  acceptsExpressions?: boolean;
  /** The offset where the text stops parsing; null when it parses. */
  errorAt?: number | null;
  /** The id of a message about the value (its parse error). */
  describedBy?: string;
  invalid: boolean;
  testId?: string;
  /** A test id on the editable element itself (so tests can fill it like a text box). */
  contentTestId?: string;
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
          acceptsExpressions
            ? autocompletion({
                override: [pathCompletions(() => latest.current.environment.paths)],
                icons: false,
                maxRenderedOptions: 60,
              })
            : [],
          language === 'json' ? [jsonHighlight, parseErrorField] : [],
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
            ...(contentTestId ? { 'data-testid': contentTestId } : {}),
          }),
          EditorView.domEventHandlers({
            focus: () => {
              if (acceptsExpressions) latest.current.environment.focused(target);
            },
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

  // The parse error's place follows the text; describedBy and invalid are plain attributes.
  useEffect(() => {
    view.current?.dispatch({ effects: setErrorAt.of(language === 'json' ? errorAt : null) });
  }, [errorAt, language, value]);
  useEffect(() => {
    const content = view.current?.contentDOM;
    if (!content) return;
    if (describedBy) content.setAttribute('aria-describedby', describedBy);
    else content.removeAttribute('aria-describedby');
    if (invalid) content.setAttribute('aria-invalid', 'true');
    else content.removeAttribute('aria-invalid');
  }, [describedBy, invalid]);

  return (
    <div
      ref={host}
      className={[
        'expression-input',
        multiline && 'expression-input-multiline',
        language === 'json' && 'expression-input-json',
      ]
        .filter(Boolean)
        .join(' ')}
      data-invalid={invalid || undefined}
      data-testid={testId}
    />
  );
}
