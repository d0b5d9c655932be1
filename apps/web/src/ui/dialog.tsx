import { type ReactNode, useEffect, useRef } from 'react';
import './dialog.css';

const focusable =
  'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

/**
 * A modal dialog: labelled by its title, focus moved in (to `initialFocus`, else the first
 * field or button) and kept in while it is open (Tab and Shift+Tab cycle), Escape or a click
 * on the backdrop closes it, and focus returns to where it was.
 */
export function Dialog({
  title,
  onClose,
  children,
  testId,
  className,
  initialFocus,
  headerExtra,
}: {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  className?: string;
  /** A selector inside the dialog to focus first. */
  initialFocus?: string;
  headerExtra?: ReactNode;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  const titleId = useRef(`dialog-${Math.random().toString(36).slice(2)}`).current;
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = dialog.current;
    const first =
      (initialFocus ? root?.querySelector<HTMLElement>(initialFocus) : null) ??
      root?.querySelector<HTMLElement>(
        'input:not(:disabled), textarea:not(:disabled), select:not(:disabled)',
      ) ??
      root;
    first?.focus();
    return () => {
      // Back to the button that opened it, if it is still on the page.
      if (opener?.isConnected) opener.focus();
    };
  }, [initialFocus]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      // An open completion list or menu inside takes Escape first.
      if (event.defaultPrevented) return;
      event.stopPropagation();
      close.current();
      return;
    }
    if (event.key !== 'Tab' || !dialog.current) return;
    const items = [...dialog.current.querySelectorAll<HTMLElement>(focusable)].filter(
      (item) => item.offsetParent !== null,
    );
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items.at(-1)!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === dialog.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape and Tab are handled for the whole dialog
    <div
      className="dialog-backdrop"
      onKeyDown={onKeyDown}
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) close.current();
      }}
    >
      <div
        className={className ? `dialog ${className}` : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        ref={dialog}
        data-testid={testId}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <div className="dialog-header-actions">
            {headerExtra}
            <button
              type="button"
              className="button button-small button-quiet"
              onClick={() => close.current()}
              aria-label="Close"
              title="Close (Escape)"
              data-testid="dialog-close"
            >
              <span aria-hidden="true">✕</span>
            </button>
          </div>
        </header>
        {children}
      </div>
    </div>
  );
}
