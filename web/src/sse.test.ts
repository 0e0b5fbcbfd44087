import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('the event stream parser', () => {
  it('hands back events only when they are complete, across chunk boundaries', () => {
    const p = new SseParser();
    expect(p.push('event: state\ndata: {"st')).toEqual([]);
    expect(p.push('ate":"running"}\n\nevent: log\ndata: a\n')).toEqual([{ event: 'state', data: '{"state":"running"}' }]);
    expect(p.push('data: b\n\n')).toEqual([{ event: 'log', data: 'a\nb' }]);
  });

  it('ignores comments, takes CRLF line ends and defaults the event name', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\r\n\r\ndata:x\r\n\r\n')).toEqual([{ event: 'message', data: 'x' }]);
  });
});
