import { whileBusy } from '../src/loaders';

/** A run that records the inputs it took and finishes when the test says so. */
function recordingRun() {
  const runs: number[][] = [];
  const finishers: Array<() => void> = [];
  const run = async (inputs: readonly number[]) => {
    runs.push([...inputs]);
    await new Promise<void>((resolve) => finishers.push(resolve));
    return inputs.map((input) => (input < 0 ? new Error(`refused ${input}`) : input * 10));
  };
  const finishNext = () => finishers.shift()?.();
  return { run, runs, finishNext };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('whileBusy: group commit of requests', () => {
  test('a lone request runs at once, alone; requests arriving while it runs go together next, each answered its own', async () => {
    const { run, runs, finishNext } = recordingRun();
    const submit = whileBusy(run, { concurrency: 1, maxBatch: 10 });

    const first = submit(1);
    await tick();
    expect(runs).toEqual([[1]]);
    const gathered = [submit(2), submit(-3)];
    await tick();
    const later = submit(4);
    await tick();
    expect(runs).toEqual([[1]]);

    finishNext();
    expect(await first).toBe(10);
    await tick();
    expect(runs).toEqual([[1], [2, -3, 4]]);
    finishNext();
    await expect(gathered[0]).resolves.toBe(20);
    await expect(gathered[1]).rejects.toThrow('refused -3');
    await expect(later).resolves.toBe(40);
  });

  test('at most maxBatch a run, and `concurrency` runs at once', async () => {
    const { run, runs, finishNext } = recordingRun();
    const submit = whileBusy(run, { concurrency: 2, maxBatch: 3 });

    const answers = [submit(1)];
    await tick();
    answers.push(submit(2));
    await tick();
    expect(runs).toEqual([[1], [2]]);
    answers.push(...[3, 4, 5, 6, 7].map((input) => submit(input)));
    await tick();
    expect(runs).toHaveLength(2);

    finishNext();
    await tick();
    expect(runs).toEqual([[1], [2], [3, 4, 5]]);
    finishNext();
    await tick();
    expect(runs).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
    finishNext();
    finishNext();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  test('a run that throws fails its own requests only; the next run goes on', async () => {
    let calls = 0;
    const submit = whileBusy(
      async (inputs: readonly number[]) => {
        calls += 1;
        if (calls === 1) throw new Error('the transaction failed');
        return inputs.map((input) => input);
      },
      { concurrency: 1, maxBatch: 10 },
    );

    await expect(submit(1)).rejects.toThrow('the transaction failed');
    await expect(submit(2)).resolves.toBe(2);
  });
});
