# -*- coding: utf-8 -*-
# The Renumber agent over Jolokia HTTP/JSON, for the modules of renumber.fleet (standard library only).
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

SERVICE = 'renumber:type=AddressChangeService'
FINAL_STATES = ('COMPLETED', 'TIMED_OUT', 'FAILED', 'CANCELLED')
DEFAULT_URL = 'http://127.0.0.1:8778/jolokia'
DEFAULT_STATE_DIR = '/var/lib/renumber'
REFUSALS = ('java.lang.IllegalArgumentException', 'java.lang.IllegalStateException')

# The connection options every module of the collection takes (module_defaults group renumber.fleet.agent).
CONNECTION_ARGS = dict(
    url=dict(type='str', default=DEFAULT_URL),
    user=dict(type='str'),
    password=dict(type='str', no_log=True),
    password_file=dict(type='path', no_log=False),
    state_dir=dict(type='path', default=DEFAULT_STATE_DIR),
    timeout=dict(type='int', default=30),
)


class AgentError(Exception):
    """The agent refused a request; the message is the agent's own text, verbatim."""

    def __init__(self, message, status=None):
        super(AgentError, self).__init__(message)
        self.message = message
        self.status = status


def change_mbean(change_id):
    return 'renumber:type=AddressChange,id=%s' % change_id


def credentials(user, password, password_file, state_dir):
    """The login: the password given, or the one in password_file (default: the agent's generated
    <state_dir>/credentials, 'user=' and 'password=' lines; a file holding only the password works too)."""
    if password:
        return user or 'renumber', password
    path = password_file or os.path.join(state_dir or DEFAULT_STATE_DIR, 'credentials')
    try:
        with open(path) as handle:
            text = handle.read()
    except (IOError, OSError) as e:
        raise AgentError('cannot read the password file %s: %s (give password, password_file or the state_dir '
                         'of the agent)' % (path, e))
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition('=')
        if sep and key.strip() in ('user', 'password'):
            values[key.strip()] = value.strip()
    if 'password' not in values:
        values['password'] = text.strip()
    if not values['password']:
        raise AgentError('the password file %s is empty' % path)
    return user or values.get('user') or 'renumber', values['password']


class Agent:
    """One node's agent: POSTs Jolokia requests with basic authentication."""

    def __init__(self, url, user, password, timeout):
        self.url = url
        self.timeout = timeout
        token = base64.b64encode(('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')
        self._headers = {'Content-Type': 'application/json', 'Authorization': 'Basic ' + token}

    @classmethod
    def from_params(cls, params):
        user, password = credentials(params.get('user'), params.get('password'), params.get('password_file'),
                                     params.get('state_dir'))
        return cls(params['url'], user, password, params['timeout'])

    def request(self, payload, timeout=None):
        """The value of one Jolokia request; AgentError with the agent's error text when it is refused."""
        body = json.dumps(payload).encode('utf-8')
        http = Request(self.url, data=body, headers=self._headers)
        try:
            response = urlopen(http, timeout=timeout or self.timeout)
            answer = json.loads(response.read().decode('utf-8'))
        except HTTPError as e:
            if e.code in (401, 403):
                raise AgentError('the agent at %s refused the credentials (HTTP %d)' % (self.url, e.code), e.code)
            raise AgentError('the agent at %s answered HTTP %d %s' % (self.url, e.code, e.reason), e.code)
        except (URLError, OSError) as e:  # socket.timeout is an OSError
            reason = getattr(e, 'reason', e)
            raise AgentError('the agent at %s is unreachable: %s' % (self.url, reason))
        except ValueError as e:
            raise AgentError('the agent at %s answered something that is not JSON: %s' % (self.url, e))
        if answer.get('status') != 200:
            raise AgentError(error_text(answer), answer.get('status'))
        return answer.get('value')

    def execute(self, operation, *arguments, **kwargs):
        mbean = kwargs.pop('mbean', SERVICE)
        return self.request({'type': 'exec', 'mbean': mbean, 'operation': operation,
                             'arguments': list(arguments)}, **kwargs)

    def read(self, mbean, attribute=None):
        payload = {'type': 'read', 'mbean': mbean}
        if attribute:
            payload['attribute'] = attribute
        return self.request(payload)

    def version(self):
        return self.request({'type': 'version'})


def error_text(answer):
    """The agent's error text, verbatim. A refusal (IllegalArgumentException, IllegalStateException) reads as the
    agent wrote it; any other error is prefixed with its type, which says more than its bare message (an
    unknown operation's is just the operation's name)."""
    error = answer.get('error') or 'the agent refused the request (status %s)' % answer.get('status')
    error_type = answer.get('error_type') or ''
    if error_type in REFUSALS or error.startswith(error_type):
        return error
    return '%s: %s' % (error_type, error)


class NotificationPull:
    """Jolokia notification pull on the service MBean (which emits every change notification), registered
    before a change starts so no notification of it is missed."""

    def __init__(self, agent):
        self.agent = agent
        registered = agent.request({'type': 'notification', 'command': 'register'})
        self.client = registered['id']
        self.store = registered['backend']['pull']['store']
        self.handle = agent.request({'type': 'notification', 'command': 'add', 'client': self.client,
                                     'mode': 'pull', 'mbean': SERVICE, 'filter': ['renumber.']})

    def history(self, change_id):
        """The notifications of change_id received so far, oldest first, as short dicts."""
        pulled = self.agent.execute('pull', self.client, self.handle, mbean=self.store) or {}
        events = []
        for n in pulled.get('notifications', []):
            data = n.get('userData') or {}
            if not isinstance(data, dict) or data.get('changeId') != change_id:
                continue
            events.append(dict(type=n.get('type'), time=n.get('timeStamp'), message=n.get('message'),
                               state=data.get('state'), outcome=data.get('outcome'),
                               remaining_connections=data.get('remainingConnections'), error=data.get('error')))
        events.sort(key=lambda e: e.get('time') or 0)
        return events

    def close(self):
        try:
            self.agent.request({'type': 'notification', 'command': 'unregister', 'client': self.client})
        except AgentError:
            pass  # the agent drops idle clients by itself
