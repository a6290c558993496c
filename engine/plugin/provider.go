package plugin

import (
	"context"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// The protocol.Provider methods of Client: each forwards the call and, when it failed,
// lets crashDiagnostics decide whether the process died.

func (c *Client) GetSchema(ctx context.Context) (*protocol.ProviderSchema, protocol.Diagnostics) {
	schema, diags := c.provider.GetSchema(ctx)
	return schema, c.crashDiagnostics(diags)
}

func (c *Client) ValidateConfig(ctx context.Context, req *protocol.ValidateRequest) protocol.Diagnostics {
	return c.crashDiagnostics(c.provider.ValidateConfig(ctx, req))
}

func (c *Client) Configure(ctx context.Context, config cty.Value) protocol.Diagnostics {
	return c.crashDiagnostics(c.provider.Configure(ctx, config))
}

func (c *Client) Observe(ctx context.Context, req *protocol.ObserveRequest) *protocol.ObserveResponse {
	resp := c.provider.Observe(ctx, req)
	if resp == nil {
		resp = &protocol.ObserveResponse{}
	}
	resp.Diagnostics = c.crashDiagnostics(resp.Diagnostics)
	return resp
}

func (c *Client) Plan(ctx context.Context, req *protocol.PlanRequest) *protocol.PlanResponse {
	resp := c.provider.Plan(ctx, req)
	if resp == nil {
		resp = &protocol.PlanResponse{}
	}
	resp.Diagnostics = c.crashDiagnostics(resp.Diagnostics)
	return resp
}

func (c *Client) Apply(ctx context.Context, req *protocol.ApplyRequest, progress func(protocol.ApplyEvent)) *protocol.ApplyResponse {
	resp := c.provider.Apply(ctx, req, progress)
	if resp == nil {
		resp = &protocol.ApplyResponse{}
	}
	resp.Diagnostics = c.crashDiagnostics(resp.Diagnostics)
	return resp
}

func (c *Client) Read(ctx context.Context, req *protocol.ReadRequest) *protocol.ReadResponse {
	resp := c.provider.Read(ctx, req)
	if resp == nil {
		resp = &protocol.ReadResponse{}
	}
	resp.Diagnostics = c.crashDiagnostics(resp.Diagnostics)
	return resp
}

func (c *Client) Import(ctx context.Context, req *protocol.ImportRequest) *protocol.ImportResponse {
	resp := c.provider.Import(ctx, req)
	if resp == nil {
		resp = &protocol.ImportResponse{}
	}
	resp.Diagnostics = c.crashDiagnostics(resp.Diagnostics)
	return resp
}

func (c *Client) Stop(ctx context.Context) error {
	return c.crashError(c.provider.Stop(ctx))
}
