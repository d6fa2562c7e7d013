import { useState } from 'preact/hooks';
import { useApp } from './app.js';

/** A file chosen by dropping it here or with the file picker (keyboard reachable: it is a real input). */
export function FileDrop(props: { readonly id: string; readonly label: string; readonly accept?: string; readonly onFile: (file: File) => void }) {
  const { t } = useApp();
  const [over, setOver] = useState(false);
  const [name, setName] = useState<string | undefined>();
  const take = (file: File | undefined) => {
    if (!file) return;
    setName(file.name);
    props.onFile(file);
  };
  return (
    <div
      class={`drop ${over ? 'over' : ''}`}
      data-testid={`drop-${props.id}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => { setOver(false); }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        take(e.dataTransfer?.files[0]);
      }}
    >
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="file" accept={props.accept} onChange={(e) => { take(e.currentTarget.files?.[0]); }} />
      <p class="hint">{name ?? t.dropHere}</p>
    </div>
  );
}
