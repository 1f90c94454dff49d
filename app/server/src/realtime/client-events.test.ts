import { APP_EVENTS, CLIENT_EVENTS, COMMAND_EVENTS, type CommandSink } from './client-events';

describe('the events a client sends', () => {
  it('gives every event a handler: the session\'s own (authentication, presence) or a command', () => {
    const ownHandlers = ['authenticate', 'refresh_auth', 'yjs_awareness'];
    expect([...CLIENT_EVENTS].filter((event) => !ownHandlers.includes(event)).sort()).toEqual(Object.keys(COMMAND_EVENTS).sort());
    for (const event of APP_EVENTS) expect(CLIENT_EVENTS.has(event)).toBe(true);
  });

  it('turns each command event\'s payload into its command, refusing a malformed one before it is built', () => {
    const built: unknown[] = [];
    const sink: CommandSink = {
      command: (event, args, schema, build) => {
        built.push({ event, command: build(schema.parse(args[0])) });
      },
    };
    COMMAND_EVENTS.run_cell(sink, [{ cellId: 'c1' }]);
    COMMAND_EVENTS.clear_outputs(sink, [undefined]);
    COMMAND_EVENTS.set_widget_value(sink, [{ widget_id: 'c1:0', value: 3 }]);
    expect(built).toEqual([
      { event: 'run_cell', command: { type: 'run_cell', cellId: 'c1' } },
      { event: 'clear_outputs', command: { type: 'clear_outputs' } },
      { event: 'set_widget_value', command: { type: 'set_widget_value', widgetId: 'c1:0', value: 3 } },
    ]);
    expect(() => COMMAND_EVENTS.run_cell(sink, [{ cell: 'c1' }])).toThrow();
  });
});
