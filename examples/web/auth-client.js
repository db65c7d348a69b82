// The Perfect21 document's JavaScript client ("Client Integration Examples" > "Authentication
// Client Class"), copied verbatim from `class AuthClient {` to the end of `class AuthError`
// (the same text as tests/clients/perfect21_client.mjs, without its export line). Nothing here is
// changed, its quirks included (docs/frontend.md lists them); app.js is the page's own code.

class AuthClient {
  constructor(baseURL, options = {}) {
    this.baseURL = baseURL;
    this.accessToken = null;
    this.options = {
      timeout: 10000,
      retries: 3,
      ...options
    };
  }

  async request(endpoint, options = {}) {
    const url = `${this.baseURL}${endpoint}`;
    const config = {
      headers: {
        'Content-Type': 'application/json',
        ...options.headers
      },
      credentials: 'include', // Include cookies
      ...options
    };

    // Add authorization header if token exists
    if (this.accessToken) {
      config.headers.Authorization = `Bearer ${this.accessToken}`;
    }

    try {
      const response = await fetch(url, config);
      const data = await response.json();

      if (!response.ok) {
        throw new AuthError(data.error.code, data.error.message, response.status);
      }

      return data;
    } catch (error) {
      if (error.status === 401 && this.accessToken) {
        // Try to refresh token
        const refreshed = await this.refreshToken();
        if (refreshed) {
          // Retry original request
          config.headers.Authorization = `Bearer ${this.accessToken}`;
          const response = await fetch(url, config);
          return response.json();
        }
      }
      throw error;
    }
  }

  async register(userData) {
    const response = await this.request('/auth/register', {
      method: 'POST',
      body: JSON.stringify(userData)
    });
    return response.data;
  }

  async login(credentials) {
    const response = await this.request('/auth/login', {
      method: 'POST',
      body: JSON.stringify(credentials)
    });

    // Store access token
    this.accessToken = response.data.accessToken;

    return response.data;
  }

  async refreshToken() {
    try {
      const response = await this.request('/auth/refresh', {
        method: 'POST'
      });

      this.accessToken = response.data.accessToken;
      return true;
    } catch (error) {
      this.accessToken = null;
      return false;
    }
  }

  async logout() {
    await this.request('/auth/logout', {
      method: 'POST'
    });
    this.accessToken = null;
  }

  async getProfile() {
    const response = await this.request('/users/me');
    return response.data;
  }

  async updateProfile(data) {
    const response = await this.request('/users/me', {
      method: 'PUT',
      body: JSON.stringify(data)
    });
    return response.data;
  }

  isAuthenticated() {
    return !!this.accessToken;
  }
}

class AuthError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = 'AuthError';
    this.code = code;
    this.status = status;
  }
}
