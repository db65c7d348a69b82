# The Perfect21 document's Python client ("Client Integration Examples" > "Python Client"),
# copied verbatim from the line `import requests` to the end of `class AuthError`. The
# document's "Usage Example" that follows it is left out: it would run against
# api.perfect21.com on import. perfect21_driver.py drives this class against a local authd.

import requests
import json
from typing import Optional, Dict, Any
from datetime import datetime, timedelta

class AuthClient:
    def __init__(self, base_url: str, timeout: int = 10):
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        self.access_token: Optional[str] = None
        self.session = requests.Session()

    def _request(self, method: str, endpoint: str, **kwargs) -> Dict[Any, Any]:
        url = f"{self.base_url}{endpoint}"
        headers = kwargs.get('headers', {})
        headers['Content-Type'] = 'application/json'

        if self.access_token:
            headers['Authorization'] = f'Bearer {self.access_token}'

        kwargs['headers'] = headers
        kwargs['timeout'] = self.timeout

        try:
            response = self.session.request(method, url, **kwargs)
            data = response.json()

            if not response.ok:
                raise AuthError(
                    code=data['error']['code'],
                    message=data['error']['message'],
                    status=response.status_code
                )

            return data

        except requests.exceptions.RequestException as e:
            raise AuthError('NETWORK_ERROR', str(e), 0)

    def register(self, user_data: Dict[str, str]) -> Dict[str, Any]:
        """Register a new user"""
        response = self._request('POST', '/auth/register', json=user_data)
        return response['data']

    def login(self, credentials: Dict[str, str]) -> Dict[str, Any]:
        """Login user and store access token"""
        response = self._request('POST', '/auth/login', json=credentials)
        self.access_token = response['data']['accessToken']
        return response['data']

    def refresh_token(self) -> bool:
        """Refresh access token using cookies"""
        try:
            response = self._request('POST', '/auth/refresh')
            self.access_token = response['data']['accessToken']
            return True
        except AuthError:
            self.access_token = None
            return False

    def logout(self) -> None:
        """Logout user and clear token"""
        try:
            self._request('POST', '/auth/logout')
        finally:
            self.access_token = None

    def get_profile(self) -> Dict[str, Any]:
        """Get current user profile"""
        response = self._request('GET', '/users/me')
        return response['data']

    def update_profile(self, data: Dict[str, str]) -> Dict[str, Any]:
        """Update user profile"""
        response = self._request('PUT', '/users/me', json=data)
        return response['data']

    def change_password(self, current_password: str, new_password: str) -> None:
        """Change user password"""
        data = {
            'currentPassword': current_password,
            'newPassword': new_password
        }
        self._request('PUT', '/auth/change-password', json=data)

    def is_authenticated(self) -> bool:
        """Check if user is authenticated"""
        return self.access_token is not None

class AuthError(Exception):
    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
