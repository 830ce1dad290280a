/**
 * Runs `construct` with the given environment variables set (undefined unsets one) and puts
 * the previous values back afterwards: the processor reads its environment at construction.
 */
export function withEnv<T>(variables: Record<string, string | undefined>, construct: () => T): T {
  const previous = Object.fromEntries(Object.keys(variables).map(name => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(variables);
  try {
    return construct();
  } finally {
    assign(previous);
  }
}
