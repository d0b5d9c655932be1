import { Fragment } from 'react';
import { Dialog } from '../ui/dialog.tsx';
import { isMac, keyLabel, type Shortcut, shortcuts } from './shortcuts.ts';

const groups = [...new Set(shortcuts.map((shortcut) => shortcut.group))];

/** Every editor shortcut, from the table the key handlers use. */
export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  const mac = isMac();
  return (
    <Dialog
      title="Keyboard shortcuts"
      onClose={onClose}
      testId="shortcuts-dialog"
      className="shortcuts-dialog"
    >
      <div className="shortcuts-groups">
        {groups.map((group) => (
          <section key={group} aria-labelledby={`shortcuts-${group}`}>
            <h3 id={`shortcuts-${group}`} className="shortcuts-group-title">
              {group}
            </h3>
            <dl className="shortcuts-list">
              {shortcuts
                .filter((shortcut) => shortcut.group === group)
                .map((shortcut) => (
                  <div
                    key={shortcut.id}
                    className="shortcut"
                    data-testid="shortcut"
                    data-id={shortcut.id}
                  >
                    <dt>
                      <ShortcutKeys shortcut={shortcut} mac={mac} />
                    </dt>
                    <dd>
                      {shortcut.description}
                      {shortcut.note && <span className="muted small"> ({shortcut.note})</span>}
                    </dd>
                  </div>
                ))}
            </dl>
          </section>
        ))}
      </div>
      <p className="muted small">
        Every action also has a button: Tab moves through the palette, the canvas, the data panel
        and the settings.
      </p>
    </Dialog>
  );
}

function ShortcutKeys({ shortcut, mac }: { shortcut: Shortcut; mac: boolean }) {
  return (
    <>
      {shortcut.keys.map((combo, index) => (
        <Fragment key={combo.join('+')}>
          {index > 0 && <span className="shortcut-or"> or </span>}
          <span className="shortcut-combo">
            {combo.map((key, at) => (
              <Fragment key={key}>
                {at > 0 && <span aria-hidden="true">+</span>}
                <kbd>{keyLabel(key, mac)}</kbd>
              </Fragment>
            ))}
          </span>
        </Fragment>
      ))}
    </>
  );
}
