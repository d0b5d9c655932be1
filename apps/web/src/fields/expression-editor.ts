/**
 * The CodeMirror side of ExpressionInput, in a module of its own: CodeMirror is the largest
 * library of the app, and only pages with an expression or JSON field load it (when the first
 * such field is shown).
 */
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
import {
  type DataPath,
  type InsertTarget,
  insertionFor,
  insideExpression,
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

export interface ExpressionEditorOptions {
  parent: HTMLElement;
  id: string;
  labelId: string;
  value: string;
  placeholder?: string;
  multiline: boolean;
  language?: 'json';
  acceptsExpressions: boolean;
  contentTestId?: string;
  /** Shown, selectable and copyable, but not changeable (a viewer). */
  readOnly?: boolean;
  /** The paths to complete, asked each time the list opens. */
  paths(): readonly DataPath[];
  /** The field got the focus: where the data panel inserts from now on. */
  focused(target: InsertTarget): void;
  /** The user changed the text (not `setValue`). */
  changed(text: string): void;
}

export interface ExpressionEditor {
  /** The editable element (the text box for assistive technology). */
  readonly content: HTMLElement;
  /** Replaces the text from outside (undo, another node) without reporting it back. */
  setValue(value: string): void;
  /** Underlines where JSON stops parsing; null removes the mark. */
  setErrorAt(offset: number | null): void;
  destroy(): void;
}

export function createExpressionEditor(options: ExpressionEditorOptions): ExpressionEditor {
  const { acceptsExpressions, language, multiline, placeholder, contentTestId } = options;
  let view: EditorView | null = null;
  const target: InsertTarget = {
    insertPath(path) {
      if (!view) return;
      const { from, to } = view.state.selection.main;
      const insert = insertionFor(view.state.doc.toString(), from, path);
      view.dispatch({
        changes: { from, to, insert },
        selection: { anchor: from + insert.length },
        scrollIntoView: true,
      });
      view.focus();
    },
  };
  view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.value,
      extensions: [
        history(),
        closeBrackets(),
        keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        acceptsExpressions
          ? autocompletion({
              override: [pathCompletions(options.paths)],
              icons: false,
              maxRenderedOptions: 60,
            })
          : [],
        language === 'json' ? [jsonHighlight, parseErrorField] : [],
        expressionHighlight,
        placeholder ? placeholderText(placeholder) : [],
        // Long URLs wrap rather than scroll, so the whole value stays in view.
        EditorView.lineWrapping,
        options.readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [],
        multiline ? [] : singleLine,
        // The list of paths may be wider than the panel, which clips its overflow.
        tooltips({ parent: document.body }),
        EditorView.contentAttributes.of({
          'aria-labelledby': options.labelId,
          'aria-multiline': String(multiline),
          role: 'textbox',
          id: options.id,
          ...(contentTestId ? { 'data-testid': contentTestId } : {}),
        }),
        EditorView.domEventHandlers({
          focus: () => {
            if (acceptsExpressions) options.focused(target);
          },
        }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          if (update.transactions.some((t) => t.annotation(fromValue))) return;
          options.changed(update.state.doc.toString());
        }),
      ],
    }),
  });
  const editor = view;
  return {
    content: editor.contentDOM,
    setValue(value) {
      const current = editor.state.doc.toString();
      if (current === value) return;
      editor.dispatch({
        changes: { from: 0, to: current.length, insert: value },
        annotations: fromValue.of(true),
      });
    },
    setErrorAt(offset) {
      editor.dispatch({ effects: setErrorAt.of(language === 'json' ? offset : null) });
    },
    destroy() {
      editor.destroy();
      view = null;
    },
  };
}
