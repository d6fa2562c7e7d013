import { Link, useApp } from '../app.js';

/** The work a signed-in user can choose. */
export function Home() {
  const { t } = useApp();
  return (
    <section class="card">
      <h1>{t.chooseWork}</h1>
      <ul class="tiles">
        <li><Link href="/clerk">{t.clerk}</Link></li>
        <li><Link href="/officer">{t.officer}</Link></li>
        <li><Link href="/police">{t.police}</Link></li>
        <li><Link href="/prosecutor">{t.prosecutor}</Link></li>
        <li><Link href="/auditor">{t.auditor}</Link></li>
        <li><Link href="/timeline">{t.timeline}</Link></li>
        <li><Link href="/checkpoints">{t.checkpointsTitle}</Link></li>
      </ul>
    </section>
  );
}
