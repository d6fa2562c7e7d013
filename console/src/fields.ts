import type { Lang } from './i18n.js';

/** Chinese labels of document fields; English shows a readable form of the field name. */
const FIELD_NAMES_ZH: Readonly<Record<string, string>> = {
  decisionNo: '判决/决定文书号',
  correctionType: '矫正类别',
  effectiveDate: '生效日期',
  termStart: '矫正期起',
  termEnd: '矫正期止',
  executionPlace: '执行地（区划代码）',
  custodianReceivedOn: '保外收押日期',
  minorAtOffence: '犯罪时未成年',
  judgment: '判决书内容',
  prohibitions: '禁止令',
  subjectName: '姓名',
  remarks: '备注',
  occurredAt: '发生时间',
  idNumber: '身份证号',
  subject: '对象',
};

export function fieldLabel(lang: Lang, name: string): string {
  if (lang === 'zh') return FIELD_NAMES_ZH[name] ?? name;
  return name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

/** The API's validation messages, said in Chinese: the same checks, in the clerk's language. */
const MESSAGES_ZH: readonly (readonly [RegExp, (m: RegExpExecArray) => string])[] = [
  [/^must not be blank$/, () => '不能为空'],
  [/^Invalid input: expected \w+, received undefined$/, () => '必填'],
  [/^Invalid input: expected (\w+), received (\w+)$/, (m) => `类型应为 ${m[1] ?? ''}，实为 ${m[2] ?? ''}`],
  [/^Invalid option: expected one of (.*)$/, (m) => `须为以下之一：${(m[1] ?? '').replace(/"/g, '')}`],
  [/^Invalid ISO datetime$/, () => '须为带时区的 ISO 时间，如 2024-01-10T09:00:00+08:00'],
  [/^Invalid ISO date$/, () => '须为日期，如 2024-01-10'],
  [/^must be 18 characters/, () => '须为 18 位：行政区划、出生日期、顺序码和校验码（0-9 或 X）'],
  [/check digit/, () => '校验码不正确'],
  [/^Too big: expected string to have <=(\d+) characters$/, (m) => `不得超过 ${m[1] ?? ''} 个字符`],
  [/^Invalid string: must match pattern/, () => '格式不正确'],
  [/must be a division code/, () => '须为 6 位或 9 位行政区划代码'],
  [/must not be later than (\w+)|must be after (\w+)|before (\w+)/, () => '日期先后顺序不正确'],
];

export function messageIn(lang: Lang, message: string): string {
  if (lang === 'en') return message;
  for (const [pattern, say] of MESSAGES_ZH) {
    const match = pattern.exec(message);
    if (match) return say(match);
  }
  return message;
}
