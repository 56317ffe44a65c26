import { BASE_WINDOW } from '../model/constants.js';
import { formatDuration, type Millis } from '../model/duration.js';
import { idLabels, namingOf, RECORDS, TIER_LABELS } from '../model/naming.js';
import { formatNumber } from '../model/numbers.js';
import type { Slo } from '../model/slo.js';
import { LONGEST_LENGTH, periodWords } from '../model/calendar.js';
import { periodText, windowText } from '../model/windows.js';
import { rangeEndingShort } from '../promql/range.js';
import { idSelector } from '../promql/selector.js';

/**
 * PromQL of one SLO's panels. Every query selects the SLO by its identity labels, so that it reads
 * the series the generated rules record (or the engine serves) for exactly this SLO.
 */
export class SloQueries {
  readonly base = formatDuration(BASE_WINDOW);
  /** The period's series text: `30d`, or `month` for a calendar month. */
  readonly window: string;
  /** The period in titles: `30d`, or `this month`. */
  readonly periodTitle: string;
  /** How far back the period reaches, as a panel's relative time. */
  readonly timeFrom: string;
  private readonly ids: Record<string, string>;
  /** How far back sums over the period must reach. */
  private readonly reach: Millis;

  constructor(readonly slo: Slo) {
    this.window = periodText(slo);
    this.periodTitle = slo.calendar ? periodWords(slo.calendar) : this.window;
    this.reach = slo.calendar ? LONGEST_LENGTH[slo.calendar.unit] : slo.window;
    this.timeFrom = formatDuration(this.reach);
    this.ids = idLabels(slo);
  }

  own(metric: string): string {
    return idSelector(metric, this.ids);
  }

  get windowLabel(): string {
    return namingOf(this.slo).windowLabel;
  }

  /** Labels that split the SLO's series (grouping), for legends. */
  get groupLegend(): string {
    const g = 'groupBy' in this.slo.sli ? this.slo.sli.groupBy : [];
    return g.map((l) => `{{${l}}}`).join(' ');
  }

  sli(window: Millis | string): string {
    const w = typeof window === 'string' ? window : windowText(this.slo, window);
    return `1 - ${this.own(RECORDS.errorRatio(w))}`;
  }

  objective(): string {
    return this.own(RECORDS.objective);
  }

  budgetRemaining(): string {
    return this.own(RECORDS.budgetRemaining);
  }

  burnRate(window: Millis): string {
    return this.own(RECORDS.burnRate(windowText(this.slo, window)));
  }

  /** The seconds of the query's end, read from a series the meta rules record every evaluation. */
  private windowStart(): string {
    if (this.slo.calendar) return `scalar(${this.own(RECORDS.calendarStart)} @ end())`;
    return `(scalar(timestamp(${this.objective()} @ end())) - ${this.slo.window / 1000})`;
  }

  /**
   * Budget left over the window that ends at the query's end, counting only what was spent since
   * the window began: at each point t, 1 - bad(start, t] / (budget x total(start, end]). The base
   * counts are summed on whole base windows whose step lies after the start; `@ end()` pins the
   * denominator to the whole window, so the line ends where the "budget remaining" stat stands.
   * Raw error-ratio SLIs have no counts: their burn-down is the time average of the base burn rate.
   */
  burndown(): string {
    const since = `and on () (vector(time()) > ${this.windowStart()})`;
    const range = `[${rangeEndingShort(this.reach)}:${this.base}]`;
    if (this.slo.sli.kind === 'rawErrorRatio') {
      const burns = `(${this.own(RECORDS.burnRate(this.base))} ${since})${range}`;
      // A calendar period is only partly over: its mean is over the base windows it has had, as the budget stat's is.
      const steps = this.slo.calendar ? `count_over_time(${burns} @ end())` : this.reach / BASE_WINDOW;
      return `1 - sum_over_time(${burns}) / ${steps}`;
    }
    const spent = `sum_over_time((${this.own(RECORDS.badEvents(this.base))} ${since})${range})`;
    const total = `(${this.own(RECORDS.totalEvents(this.window))} @ end())`;
    return `1 - ${spent}\n  / ignoring (${this.windowLabel}) ${total}\n  / ${formatNumber(this.slo.errorBudget)}`;
  }

  /** The budget spent evenly: a straight line from all of it at the window's start to none at its end. */
  idealBurndown(): string {
    const seconds = this.slo.window / 1000;
    return `clamp_min(1 - (vector(time()) - ${this.windowStart()}) / ${seconds}, 0)`;
  }

  /** 1 firing, 0.5 pending, 0 not active: absent ALERTS series mean OK, not "no data". */
  alertState(alertname: string, extra: Record<string, string>): string {
    const sel = (state: string) =>
      idSelector('ALERTS', { alertname, ...this.ids, ...extra, alertstate: state });
    return `max(${sel('firing')}) or max(${sel('pending')}) * 0.5 or vector(0)`;
  }

  tierState(tierName: string): string {
    return this.alertState(this.slo.alerting.name, { [TIER_LABELS.tier]: tierName });
  }

  /** Events per second (counts) or per base window (slices and samples). */
  totalEvents(perSecond: boolean): string {
    const t = this.own(RECORDS.totalEvents(this.base));
    return perSecond ? `${t} / ${BASE_WINDOW / 1000}` : t;
  }

  goodEvents(perSecond: boolean): string {
    const good = `(${this.own(RECORDS.totalEvents(this.base))} - ${this.own(RECORDS.badEvents(this.base))})`;
    return perSecond ? `${good} / ${BASE_WINDOW / 1000}` : good;
  }

  errorRatio(window: Millis): string {
    return this.own(RECORDS.errorRatio(windowText(this.slo, window)));
  }
}
