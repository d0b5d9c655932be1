import type { ReactNode } from 'react';

/** A message box above the content: an error, a success or a warning, optionally dismissible. */
export function Notice({
  tone,
  title,
  children,
  onDismiss,
  testId,
}: {
  tone: 'error' | 'success' | 'warning';
  title: ReactNode;
  children?: ReactNode;
  onDismiss?: () => void;
  testId?: string;
}) {
  return (
    <div
      className={`notice notice-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <div className="notice-body">
        <p className="notice-title">{title}</p>
        {children}
      </div>
      {onDismiss && (
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label="Dismiss"
          title="Dismiss"
          onClick={onDismiss}
        >
          <span aria-hidden="true">✕</span>
        </button>
      )}
    </div>
  );
}
