import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

/**
 * Post bodies are stored raw; this is the one place they become HTML: marked renders the
 * markdown (raw HTML in it included), DOMPurify then removes every script, event handler,
 * `javascript:` URL and unknown element before React inserts the result.
 */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'button'] });
}

export function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by DOMPurify in renderMarkdown
  return <div className={className ?? 'prose'} dangerouslySetInnerHTML={{ __html: html }} />;
}
