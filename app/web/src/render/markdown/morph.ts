/**
 * Brings the children of `target` (the rendered markdown on the page) to those of `source` (the new rendering,
 * not in the document) changing as little as it can: a node of the same kind is kept and updated (text, attributes,
 * children), anything else is replaced. A widget placeholder (`<rnb-widget id>`) with the same id is kept as is,
 * children included: React renders the widget into it, and keeping the element keeps the control under the
 * user's pointer while the text around it follows the value (a slider being dragged must not be remounted).
 */
export function morphChildren(target: Node, source: Node): void {
  const wanted = [...source.childNodes];
  let current: ChildNode | null = target.firstChild;
  for (const next of wanted) {
    if (current && sameKind(current, next)) {
      morphNode(current, next);
      current = current.nextSibling;
    } else {
      target.insertBefore(next, current);
    }
  }
  while (current) {
    const after: ChildNode | null = current.nextSibling;
    target.removeChild(current);
    current = after;
  }
}

function sameKind(a: Node, b: Node): boolean {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
  if (isWidgetPlaceholder(a)) return (a as Element).id === (b as Element).id;
  return true;
}

function isWidgetPlaceholder(node: Node): boolean {
  return node.nodeType === Node.ELEMENT_NODE && node.nodeName.toLowerCase() === 'rnb-widget';
}

function morphNode(target: Node, source: Node): void {
  if (target.nodeType === Node.TEXT_NODE || target.nodeType === Node.COMMENT_NODE) {
    if (target.nodeValue !== source.nodeValue) target.nodeValue = source.nodeValue;
    return;
  }
  if (target.nodeType !== Node.ELEMENT_NODE) return;
  const element = target as Element;
  const wanted = source as Element;
  for (const name of element.getAttributeNames()) if (!wanted.hasAttribute(name)) element.removeAttribute(name);
  for (const name of wanted.getAttributeNames()) {
    const value = wanted.getAttribute(name)!;
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }
  // The widget's own content belongs to React.
  if (isWidgetPlaceholder(element)) return;
  morphChildren(element, wanted);
}
