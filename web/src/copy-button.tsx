import { useState } from 'react';

/** Copies a value in one click and says so for 1.5 s; the label names what is copied for screen readers. */
export function CopyButton(props: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" className="secondary small" onClick={copy}>
      {copied ? 'Copied' : 'Copy'}
      <span className="visually-hidden"> {props.label.replace(/^Copy /, '')}</span>
    </button>
  );
}
