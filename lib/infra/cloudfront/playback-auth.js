// CloudFront Function (cloudfront-js-2.0, viewer request) in front of the media bucket.
//
// Playback URLs carry their authorization in the path, not the query string:
//
//   /p/<expires>-<signature>/<videoId>/hls/master.m3u8
//
// so that the relative URIs inside HLS playlists (720p/index.m3u8, seg_00001.ts) resolve to URLs
// that carry it too, and plain hls.js or Safari plays the video with no player configuration.
// <signature> is base64url(HMAC-SHA256(key, "<expires>/<videoId>")): one token opens one video's
// folder until <expires> (epoch seconds). The key is in the KeyValueStore associated with this
// function; lib/storage/playback-url.ts signs with the same key. A valid request goes on with the
// token stripped (/<videoId>/hls/master.m3u8, the S3 key); anything else is a 403.
//
// Deployed as it is (no build step): the runtime is ES 5.1 plus some ES6+, no modules of ours.
import crypto from 'crypto';
import cf from 'cloudfront';

var KEY_NAME = 'playback-signing-key';
var TOKEN_PATH = /^\/p\/([0-9]{1,12})-([A-Za-z0-9_-]{43})\/([A-Za-z0-9][A-Za-z0-9_-]{0,127})(\/[^?#]*)$/;
var FORBIDDEN = { statusCode: 403, statusDescription: 'Forbidden', headers: { 'cache-control': { value: 'no-store' } } };

// The object path after the video id: non-empty segments, no dot segments and no encoded slash,
// backslash or dot, so a token can never reach outside its video's folder.
function isSafeRest(rest) {
  if (/%2f|%5c|%2e|\\/i.test(rest)) return false;
  var segments = rest.split('/');
  for (var i = 1; i < segments.length; i++) {
    var s = segments[i];
    if (s === '' || s === '.' || s === '..') return false;
  }
  return segments.length > 1;
}

// Same length and same characters, without stopping at the first difference.
function equalConstantTime(a, b) {
  if (a.length !== b.length) return false;
  var diff = 0;
  for (var i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// The S3 key path the signed `uri` stands for, or null when the token is missing, expired, forged
// or would reach outside its video. Pure: the key and the time are passed in.
function verifyPlaybackUri(uri, key, nowSeconds) {
  var m = TOKEN_PATH.exec(uri);
  if (!m) return null;
  var expires = parseInt(m[1], 10);
  if (!(nowSeconds <= expires)) return null;
  if (!isSafeRest(m[4])) return null;
  var expected = crypto.createHmac('sha256', key).update(m[1] + '/' + m[3]).digest('base64url');
  if (!equalConstantTime(expected, m[2])) return null;
  return '/' + m[3] + m[4];
}

async function handler(event) {
  var request = event.request;
  var key;
  try {
    key = await cf.kvs().get(KEY_NAME);
  } catch (e) {
    return FORBIDDEN;
  }
  var uri = verifyPlaybackUri(request.uri, key, Math.floor(Date.now() / 1000));
  if (uri === null) return FORBIDDEN;
  request.uri = uri;
  return request;
}
