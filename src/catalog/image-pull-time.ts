import { escapeRegex } from '../promql/quote.js';
import { latencyEntry } from './latency-entry.js';
import { re } from './selectors.js';

export const IMAGE_PULL_BUCKETS = [1, 5, 10, 20, 30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
const SIZE_CLASSES = ['0-10MB', '10MB-100MB', '100MB-500MB', '500MB-1GB', '1GB-5GB', '5GB-10GB', '10GB-20GB', '20GB-30GB', '30GB-40GB', '40GB-60GB', '60GB-100GB', 'GT100GB', 'N/A'];

/** Large images legitimately take longer: by default only images under 500 MB are held to the threshold. */
export const imagePullTime = latencyEntry({
  name: 'image-pull-time',
  summary: 'kubelet image pulls under a threshold, for chosen image size classes',
  metric: 'kubelet_image_pull_duration_seconds',
  buckets: IMAGE_PULL_BUCKETS,
  defaultThreshold: 60,
  what: 'image pulls of the chosen size classes',
  extraParams: { sizeClasses: '[0-10MB, 10MB-100MB, 100MB-500MB]' },
  extraMatchers: (p) => {
    const classes = p.choiceList('sizeClasses', ['0-10MB', '10MB-100MB', '100MB-500MB'], SIZE_CLASSES);
    return [re('image_size_in_bytes', classes.map(escapeRegex).join('|'))];
  },
});
