/// Tabster (Fluent UI's focus manager) puts two invisible elements at the very start and end of
/// the page (its root "dummy inputs") once any dialog, panel or menu exists, so that Tab can
/// leave a web page for the browser's own controls. A desktop window has nothing outside the
/// page: there they are tab stops nobody can see — Tab after the last button seemed to do
/// nothing — and axe flags them (aria-hidden yet focusable). They are kept out of the tab
/// order here; Tabster can still focus them itself. Dummies inside dialogs (which keep focus
/// in the dialog) are not touched.
export function keepRootDummiesOutOfTabOrder(doc: Document): () => void {
  const fix = () => {
    for (const el of Array.from(doc.body.children)) {
      if (el instanceof HTMLElement && el.hasAttribute("data-tabster-dummy") && el.tabIndex !== -1) el.tabIndex = -1;
    }
  };
  fix();
  const observer = new MutationObserver(fix);
  observer.observe(doc.body, { childList: true });
  // Tabster may make one tabbable again: watch the dummies' own tabindex too.
  const attributes = new MutationObserver((records) => {
    if (records.some((r) => r.target instanceof HTMLElement && r.target.parentElement === doc.body)) fix();
  });
  attributes.observe(doc.body, { attributes: true, attributeFilter: ["tabindex"], subtree: true });
  return () => {
    observer.disconnect();
    attributes.disconnect();
  };
}
