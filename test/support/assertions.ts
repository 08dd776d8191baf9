/** Assertions several library tests share. */
import assert from 'node:assert/strict';
import { RequestError } from '../../src/lib/request-error';

/** The RequestError a request fails with; fails the test when it succeeds or fails otherwise. */
export async function requestRejection(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RequestError, `not a RequestError: ${String(error)}`);
    return error;
  }
  assert.fail('the request did not fail');
}
